/** Networks in the Engine API's shape (v1.41), as `GET /networks` and inspect show them. */
import type { Member, NetworkInfo } from "../../src/network/networks.ts";

export function renderNetwork(network: NetworkInfo, members: Member[]) {
  const bridge = network.bridge;
  const config = bridge ? [{ Subnet: bridge.subnet, Gateway: bridge.bridge.gateway, ...(network.ipRange ? { IPRange: network.ipRange } : {}) }] : [];
  return {
    Name: network.name,
    Id: network.id,
    Created: network.created,
    Scope: "local",
    Driver: network.driver,
    EnableIPv6: false,
    IPAM: { Driver: "default", Options: network.predefined ? null : {}, Config: config },
    Internal: network.internal,
    Attachable: network.attachable,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      members.map((member) => [
        member.id,
        { Name: member.name, EndpointID: member.endpoint.HostVeth, MacAddress: member.endpoint.MacAddress, IPv4Address: `${member.address}/${member.endpoint.IPPrefixLen}`, IPv6Address: "" },
      ]),
    ),
    Options: network.options,
    Labels: network.labels,
  };
}
