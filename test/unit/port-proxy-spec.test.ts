import { describe, expect, test } from "bun:test";
import { InvalidArgumentError } from "../../src/errors.ts";
import { inspectPorts, listPorts, parsePortSpec, parsePortSpecs, portRequests, publishAll, type PublishedPort } from "../../src/network/port-spec.ts";
import { formatPorts } from "../../cli/render.ts";

const bind = (HostIp: string, HostPort: string) => [{ HostIp, HostPort }];

describe("parsePortSpec", () => {
  test("the forms of -p", () => {
    expect(parsePortSpec("80")).toEqual({ "80/tcp": bind("", "") });
    expect(parsePortSpec("8080:80")).toEqual({ "80/tcp": bind("", "8080") });
    expect(parsePortSpec("127.0.0.1:8080:80/udp")).toEqual({ "80/udp": bind("127.0.0.1", "8080") });
    expect(parsePortSpec("127.0.0.1::53/udp")).toEqual({ "53/udp": bind("127.0.0.1", "") });
    expect(parsePortSpec("[::1]:8080:80")).toEqual({ "80/tcp": bind("::1", "8080") });
    expect(parsePortSpec("::1:8080:80")).toEqual({ "80/tcp": bind("::1", "8080") });
    expect(parsePortSpec("0:80/TCP")).toEqual({ "80/tcp": bind("", "") });
  });

  test("ranges pair port by port; a host range for one port is a range to pick from", () => {
    const paired = parsePortSpec("8000-8002:80-82");
    expect(paired).toEqual({ "80/tcp": bind("", "8000"), "81/tcp": bind("", "8001"), "82/tcp": bind("", "8002") });
    expect(parsePortSpec("80-81/udp")).toEqual({ "80/udp": bind("", ""), "81/udp": bind("", "") });
    expect(parsePortSpec("8000-8005:80")).toEqual({ "80/tcp": bind("", "8000-8005") });
  });

  test("Docker's refusals", () => {
    const refusals: [string, string][] = [
      ["", "No port specified: <empty>"],
      ["8080:", "No port specified: 8080:<empty>"],
      ["abc", "Invalid containerPort: abc"],
      ["0", "Invalid containerPort: 0"],
      ["70000", "Invalid containerPort: 70000"],
      ["85-80", "Invalid containerPort: 85-80"],
      ["99999:80", "Invalid hostPort: 99999"],
      ["1.2.3:80:80", "Invalid ip address: 1.2.3"],
      ["80/sctp", "Invalid proto: sctp"],
      ["8000-8001:80-85", "Invalid ranges specified for container and host Ports: 80-85 and 8000-8001"],
    ];
    for (const [spec, message] of refusals) {
      expect(() => parsePortSpec(spec)).toThrow(InvalidArgumentError);
      expect(() => parsePortSpec(spec)).toThrow(message);
    }
  });

  test("a port published twice keeps both bindings", () => {
    expect(parsePortSpecs(["80", "127.0.0.1:8080:80", "53/udp"])).toEqual({
      "80/tcp": [{ HostIp: "", HostPort: "" }, { HostIp: "127.0.0.1", HostPort: "8080" }],
      "53/udp": bind("", ""),
    });
  });
});

describe("portRequests", () => {
  test("the API's PortBindings as requests", () => {
    expect(portRequests({ "80": bind("", "8080"), "53/udp": null, "81/tcp": bind("::1", "9000-9005") })).toEqual([
      { proto: "tcp", containerPort: 80, hostIp: "", hostPorts: { first: 8080, last: 8080 } },
      { proto: "udp", containerPort: 53, hostIp: "", hostPorts: null },
      { proto: "tcp", containerPort: 81, hostIp: "::1", hostPorts: { first: 9000, last: 9005 } },
    ]);
    expect(portRequests(null)).toEqual([]);
  });

  test("refuses what a client could send wrong", () => {
    expect(() => portRequests({ "http/tcp": bind("", "") })).toThrow("Invalid containerPort: http/tcp");
    expect(() => portRequests({ "80/tcp": bind("", "x") })).toThrow("Invalid hostPort: x");
    expect(() => portRequests({ "80/tcp": bind("localhost", "") })).toThrow("Invalid ip address: localhost");
  });
});

test("publishAll adds every exposed port not yet bound", () => {
  expect(publishAll(["80/tcp", "53/udp"], { "80/tcp": bind("", "8080") })).toEqual({ "80/tcp": bind("", "8080"), "53/udp": bind("", "") });
});

describe("reporting", () => {
  const published: PublishedPort[] = [
    { proto: "tcp", containerPort: 80, hostIp: "0.0.0.0", hostPort: 49153 },
    { proto: "tcp", containerPort: 80, hostIp: "::", hostPort: 49153 },
    { proto: "udp", containerPort: 53, hostIp: "127.0.0.1", hostPort: 5353 },
  ];
  const exposed = ["80/tcp", "53/udp", "443/tcp"];

  test("NetworkSettings.Ports: bindings, and null for exposed-only ports", () => {
    expect(inspectPorts(exposed, published)).toEqual({
      "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "49153" }, { HostIp: "::", HostPort: "49153" }],
      "53/udp": [{ HostIp: "127.0.0.1", HostPort: "5353" }],
      "443/tcp": null,
    });
  });

  test("the Ports list of ps, as the PORTS column renders it", () => {
    const list = listPorts(exposed, published);
    expect(list).toEqual([
      { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 49153, Type: "tcp" },
      { IP: "::", PrivatePort: 80, PublicPort: 49153, Type: "tcp" },
      { IP: "127.0.0.1", PrivatePort: 53, PublicPort: 5353, Type: "udp" },
      { PrivatePort: 443, Type: "tcp" },
    ]);
    expect(formatPorts(list)).toBe("0.0.0.0:49153->80/tcp, [::]:49153->80/tcp, 127.0.0.1:5353->53/udp, 443/tcp");
  });
});
