/**
 * `GET /containers/json?filters=`: every filter of the v1.41 spec with Docker's semantics.
 * Values of one key are alternatives (any may match); different keys must all match.
 */
import { shownStatus } from "../render/container.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { ContainerRecord } from "../../src/container/record.ts";
import type { ImageStore } from "../../src/image/image-store.ts";
import type { Image } from "../../src/image/types.ts";
import { filterValuesHold, labelMatches } from "./label.ts";
import { pruneFilterOf } from "./prune.ts";

export interface ContainerFilterContext {
  images: ImageStore;
  /** A container by ID, prefix or name (before/since). */
  container: (ref: string) => ContainerRecord;
}

/** The image and every image it was built on, by ID. */
function lineage(images: ImageStore, image: Image): Set<string> {
  const ids = new Set<string>();
  for (let current: Image | undefined = image; current && !ids.has(current.id); ) {
    ids.add(current.id);
    const parent: string | undefined = current.config.parent;
    try {
      current = parent ? images.get(parent) : undefined;
    } catch {
      current = undefined;
    }
  }
  return ids;
}

/** `80`, `80/tcp` or `8000-8080/udp` against a container's port keys (`80/tcp`). */
function portMatches(ports: string[], filter: string): boolean {
  const [range, proto = "tcp"] = filter.split("/");
  const [first, last = first] = range!.split("-").map(Number);
  return ports.some((key) => {
    const [port, keyProto] = key.split("/");
    return keyProto === proto && Number(port) >= first! && Number(port) <= last!;
  });
}

function networkName(record: ContainerRecord): string {
  const mode = record.HostConfig.NetworkMode;
  return mode === "default" ? "bridge" : mode;
}

/** Docker matches names (and references) as regular expressions. */
function pattern(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch {
    throw new InvalidArgumentError(`invalid filter value: ${text} is not a regular expression`);
  }
}

type Matcher = (record: ContainerRecord, value: string) => boolean;

function matchers(context: ContainerFilterContext): Record<string, Matcher> {
  const ancestorsOf = new Map<string, Set<string>>();
  const lineageOf = (record: ContainerRecord) => {
    let ids = ancestorsOf.get(record.Image);
    if (!ids) {
      try {
        ids = lineage(context.images, context.images.get(record.Image));
      } catch {
        ids = new Set([record.Image]);
      }
      ancestorsOf.set(record.Image, ids);
    }
    return ids;
  };
  const created = (ref: string) => Date.parse(context.container(ref).Created);
  return {
    id: (r, v) => r.Id.startsWith(v),
    name: (r, v) => pattern(v.replace(/^\//, "")).test(r.Name),
    label: (r, v) => labelMatches(r.Config.Labels, v),
    status: (r, v) => {
      if (!["created", "restarting", "running", "removing", "paused", "exited", "dead"].includes(v)) throw new InvalidArgumentError(`invalid filter 'status=${v}'`);
      return shownStatus(r) === v;
    },
    exited: (r, v) => {
      if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`invalid filter 'exited=${v}'`);
      return r.State.Status === "exited" && r.State.ExitCode === Number(v);
    },
    ancestor: (r, v) => {
      let image: Image;
      try {
        image = context.images.resolve(v);
      } catch {
        return false; // an unknown image is the ancestor of nothing
      }
      return lineageOf(r).has(image.id);
    },
    before: (r, v) => Date.parse(r.Created) < created(v),
    since: (r, v) => Date.parse(r.Created) > created(v),
    volume: (r, v) => r.Mounts.some((m) => m.Destination === v || m.Source === v || (m.Type === "volume" && m.Name === v)),
    network: (r, v) => networkName(r) === v,
    publish: (r, v) => portMatches((r.Ports ?? []).map((p) => `${p.hostPort}/${p.proto}`), v),
    expose: (r, v) => portMatches(Object.keys(r.Config.ExposedPorts ?? {}), v),
    // bunker runs no health checks yet: every container's health is "none".
    health: (_r, v) => v === "none",
    isolation: (_r, v) => v === "default",
    "is-task": (_r, v) => v === "false",
  };
}

/** A predicate for the parsed filters (values combined by `filterValuesHold`); an unknown filter key is a 400, as in Docker. */
export function containerFilter(filters: Map<string, string[]>, context: ContainerFilterContext): (record: ContainerRecord) => boolean {
  const table = matchers(context);
  for (const key of filters.keys()) if (!(key in table)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  return (record) => [...filters].every(([key, values]) => filterValuesHold(key, values, (value) => table[key]!(record, value)));
}

/** `container prune`'s filters: `until`, `label`, `label!` (./prune.ts). */
export function pruneFilter(filters: Map<string, string[]>): (record: ContainerRecord) => boolean {
  return pruneFilterOf(filters, (record) => ({ created: record.Created, labels: record.Config.Labels }));
}
