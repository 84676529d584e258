/** Schema pieces the v1.41 shapes share. Go's nil slices and maps arrive as `null`. */
import { z } from "zod";

/** Go's int as Docker's clients send it: a whole number that fits an int32 (no 1e308 timeouts). */
export const int = z.int32();

/** Go's int64 as clients send it (memory in bytes, nano CPUs): a whole number JavaScript holds exactly. */
export const int64 = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/** A list of strings, or null. */
export const strings = z.array(z.string()).nullable();

/** Docker's StrSlice: a list of strings, or one string that is a list of one. */
export const strSlice = z
  .union([z.string().transform((one) => [one]), z.array(z.string())])
  .nullable();

/** `{"key": "value"}` maps (labels, log options), or null. */
export const stringMap = z.record(z.string(), z.string()).nullable();

/** `{"80/tcp": {}}` sets (ExposedPorts, Volumes), or null. */
export const keySet = z.record(z.string(), z.object({}).loose()).nullable();

/** `filters={"status":{"exited":true}}`, or the older `{"status":["exited"]}`. */
export const filtersJson = z.record(z.string(), z.union([z.array(z.string()), z.record(z.string(), z.boolean())]));

/** The run settings an image config and a container config share (Docker's container.Config). */
export const runConfigFields = {
  Hostname: z.string().optional(),
  Domainname: z.string().optional(),
  User: z.string().optional(),
  Env: strings.optional(),
  Cmd: strSlice.optional(),
  Entrypoint: strSlice.optional(),
  WorkingDir: z.string().optional(),
  ExposedPorts: keySet.optional(),
  Volumes: keySet.optional(),
  Labels: stringMap.optional(),
  StopSignal: z.string().optional(),
};
