/** A minimal DNS client for the tests: one question over UDP or TCP, the answer's code and A records. */
import { createSocket } from "node:dgram";
import { connect } from "node:net";

export interface DnsAnswer {
  /** 0 NOERROR, 3 NXDOMAIN, … */
  rcode: number;
  addresses: string[];
  ttls: number[];
}

function query(name: string, type: number): Buffer {
  const labels = name.split(".").map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, type >> 8, type & 255, 0, 1])]);
}

function parse(reply: Buffer): DnsAnswer {
  const count = reply.readUInt16BE(6);
  let at = 12;
  while (reply[at] !== 0) at += reply[at] + 1;
  at += 5;
  const addresses: string[] = [];
  const ttls: number[] = [];
  for (let i = 0; i < count; i++) {
    at += (reply[at] & 0xc0) === 0xc0 ? 2 : reply.indexOf(0, at) - at + 1;
    const [type, length] = [reply.readUInt16BE(at), reply.readUInt16BE(at + 8)];
    if (type === 1) {
      addresses.push([...reply.subarray(at + 10, at + 14)].join("."));
      ttls.push(reply.readUInt32BE(at + 4));
    }
    at += 10 + length;
  }
  return { rcode: reply[3] & 0x0f, addresses, ttls };
}

export function askUdp(server: string, name: string, type = 1): Promise<DnsAnswer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer from ${server} for ${name}`));
    }, 5000);
    socket.on("message", (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(parse(reply));
    });
    socket.send(query(name, type), 53, server);
  });
}

export function askTcp(server: string, name: string, type = 1): Promise<DnsAnswer> {
  return new Promise((resolve, reject) => {
    const message = query(name, type);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(message.length);
    let received = Buffer.alloc(0);
    const socket = connect(53, server, () => socket.write(Buffer.concat([length, message])));
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer from ${server} over TCP for ${name}`)));
    socket.on("error", reject);
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk as Buffer]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.end();
        resolve(parse(received.subarray(2)));
      }
    });
  });
}
