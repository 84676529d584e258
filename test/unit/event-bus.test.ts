/** The event bus without a daemon: Docker's message shape, the ring that serves `since`, and the bounded subscriber queue. */
import { describe, expect, test } from "bun:test";
import { EventBus } from "../../src/events/event-bus.ts";

describe("EventBus", () => {
  test("an event has Docker's fields, old clients' status/id/from for containers", () => {
    const bus = new EventBus();
    const sub = bus.subscribe(() => true, 0);
    bus.emit("container", "die", "c1", { image: "base", exitCode: "3" });
    bus.emit("volume", "create", "v1");
    const [die, volume] = bus.history(0, Infinity, () => true);
    expect(die).toMatchObject({ Type: "container", Action: "die", Actor: { ID: "c1", Attributes: { image: "base", exitCode: "3" } }, scope: "local", status: "die", id: "c1", from: "base" });
    expect(Math.floor(die.timeNano / 1e9)).toBe(die.time);
    expect(volume.status).toBeUndefined();
    sub.close();
  });

  test("since replays what the ring holds, then live events follow; filters apply to both", async () => {
    const bus = new EventBus();
    bus.emit("container", "create", "a");
    bus.emit("container", "create", "b");
    const sub = bus.subscribe((event) => event.Actor.ID === "a", 0);
    bus.emit("container", "start", "a");
    bus.emit("container", "start", "b");
    const seen: string[] = [];
    for await (const event of sub.events) {
      seen.push(event.Action);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(["create", "start"]);
    expect(bus.subscriberCount).toBe(0);
  });

  test("the ring keeps the latest 1024; a subscriber 256 behind is dropped", () => {
    const bus = new EventBus();
    const stalled = bus.subscribe(() => true);
    for (let i = 0; i < 2000; i++) bus.emit("image", "tag", `i${i}`);
    expect(bus.history(0, Infinity, () => true)).toHaveLength(1024);
    expect(bus.history(0, Infinity, () => true)[0].Actor.ID).toBe("i976");
    expect(bus.subscriberCount).toBe(0);
    stalled.close();
  });
});
