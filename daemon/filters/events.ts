/**
 * `GET /events?filters=…`: Docker's filters over events. Values of one key are ORed, keys are
 * ANDed: container (ID, ID prefix or name), image, event (the action, `exec_create` matching
 * `exec_create: sh`), label (`key` or `key=value` among the actor's attributes), type, volume,
 * network, daemon.
 */
import { filterValuesHold, labelMatches } from "./label.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { EngineEvent } from "../../src/events/event-bus.ts";

const KEYS = new Set(["container", "image", "event", "label", "type", "volume", "network", "daemon", "plugin", "node", "service", "secret", "config", "scope"]);

function one(key: string, value: string, event: EngineEvent): boolean {
  const { Type, Action, Actor } = event;
  switch (key) {
    case "container":
      return Type === "container" && (Actor.ID.startsWith(value) || Actor.Attributes.name === value.replace(/^\//, ""));
    case "image":
      return (Type === "image" && (Actor.ID === value || Actor.Attributes.name === value)) || (Type === "container" && Actor.Attributes.image === value);
    case "event":
      return Action === value || Action.split(":")[0] === value;
    case "label":
      return labelMatches(Actor.Attributes, value);
    case "type":
      return Type === value;
    case "volume":
      return Type === "volume" && (Actor.ID === value || Actor.Attributes.name === value);
    case "network":
      return Type === "network" && (Actor.ID.startsWith(value) || Actor.Attributes.name === value);
    case "daemon":
      return Type === "daemon" && (Actor.ID === value || Actor.Attributes.name === value);
    case "scope":
      return value === "local";
    default:
      return false;
  }
}

export function eventFilter(filters: Map<string, string[]>): (event: EngineEvent) => boolean {
  for (const key of filters.keys()) if (!KEYS.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  return (event) => [...filters].every(([key, values]) => filterValuesHold(key, values, (value) => one(key, value, event)));
}
