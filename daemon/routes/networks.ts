/** The /networks endpoints (v1.41): create, list with filters, inspect, remove, connect, disconnect, prune. */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { NetworkInfo } from "../../src/network/networks.ts";
import type { AppEnv } from "../app.ts";
import { parseFilters } from "../query.ts";
import { jsonLimit, jsonOf } from "../validate.ts";
import { labelMatches } from "../filters/label.ts";
import { connectBody, createNetworkBody, disconnectBody } from "../schemas/network.ts";
import { renderNetwork } from "../render/network.ts";
import { pruneFilterOf } from "../filters/prune.ts";

const LIST_FILTERS = new Set(["dangling", "driver", "id", "label", "name", "scope", "type"]);

function networkFilter(engine: Engine, filters: Map<string, string[]>): (network: NetworkInfo) => boolean {
  for (const key of filters.keys()) if (!LIST_FILTERS.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  for (const type of filters.get("type") ?? []) if (type !== "custom" && type !== "builtin") throw new InvalidArgumentError(`invalid filter: 'type'='${type}'`);
  const any = (key: string, test: (value: string) => boolean) => (filters.get(key) ?? []).length === 0 || filters.get(key)!.some(test);
  return (network) =>
    any("name", (name) => network.name.includes(name)) &&
    any("id", (id) => network.id.startsWith(id)) &&
    any("driver", (driver) => driver === network.driver) &&
    any("scope", (scope) => scope === "local") &&
    any("type", (type) => (type === "builtin") === network.predefined) &&
    (filters.get("label") ?? []).every((label) => labelMatches(network.labels, label)) &&
    (filters.get("dangling") ?? []).every((value) => (!network.predefined && engine.networks.membersOf(network).length === 0) === ["1", "true"].includes(value));
}

export function networkRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const networks = engine.networks;

  app.post("/networks/create", jsonLimit, jsonOf(createNetworkBody), (c) => {
    const body = c.req.valid("json");
    if (body.Driver && body.Driver !== "bridge") throw new InvalidArgumentError(`network driver ${body.Driver} is not supported: bunker has bridge networks`);
    if (body.EnableIPv6) throw new InvalidArgumentError("IPv6 networks are not supported");
    const configs = body.IPAM?.Config ?? [];
    if (configs.length > 1) throw new InvalidArgumentError("a bridge network takes one IPv4 subnet");
    const [ipam] = configs;
    const network = networks.create({
      name: body.Name,
      internal: body.Internal ?? false,
      attachable: body.Attachable ?? false,
      labels: body.Labels ?? {},
      options: body.Options ?? {},
      ...(ipam?.Subnet ? { subnet: ipam.Subnet } : {}),
      ...(ipam?.Gateway ? { gateway: ipam.Gateway } : {}),
      ...(ipam?.IPRange ? { ipRange: ipam.IPRange } : {}),
    });
    return c.json({ Id: network.id, Warning: "" }, 201);
  });

  app.get("/networks", (c) => {
    const matches = networkFilter(engine, parseFilters(c.req.query("filters")));
    // Docker lists without the containers; inspect has them.
    return c.json(networks.list().filter(matches).map((network) => renderNetwork(network, [])));
  });

  app.post("/networks/prune", (c) => {
    const removed = networks.prune(pruneFilterOf(parseFilters(c.req.query("filters")), (network: NetworkInfo) => ({ created: network.created, labels: network.labels })));
    return c.json({ NetworksDeleted: removed.length ? removed : null });
  });

  app.get("/networks/:id", (c) => {
    const network = networks.get(c.req.param("id"));
    return c.json(renderNetwork(network, networks.membersOf(network)));
  });

  app.delete("/networks/:id", (c) => {
    networks.remove(c.req.param("id"));
    return c.body(null, 204);
  });

  app.post("/networks/:id/connect", jsonLimit, jsonOf(connectBody), (c) => {
    const body = c.req.valid("json");
    engine.containers.connectNetwork(body.Container, c.req.param("id"), body.EndpointConfig ?? {});
    return c.body(null, 200);
  });

  app.post("/networks/:id/disconnect", jsonLimit, jsonOf(disconnectBody), (c) => {
    const body = c.req.valid("json");
    engine.containers.disconnectNetwork(body.Container, c.req.param("id"));
    return c.body(null, 200);
  });
  return app;
}
