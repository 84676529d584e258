/** `POST /commit`'s optional body: a container config whose run settings go over the container's. */
import { z } from "zod";
import { runConfigFields, strings } from "./common.ts";

export const commitBody = z
  .object({ ...runConfigFields, OnBuild: strings.optional() })
  .loose()
  .nullable();
