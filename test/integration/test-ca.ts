/** A throw-away certificate authority made with openssl, and certificates it signs: for TLS servers (an IP SAN) and clients. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export function openssl(...args: string[]): void {
  const r = Bun.spawnSync(["openssl", ...args], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr.toString()}`);
}

export interface TestCa {
  cert: string;
  key: string;
}

export function makeCa(dir: string): TestCa {
  const ca = { cert: join(dir, "ca.pem"), key: join(dir, "ca.key") };
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=bunker test CA", "-keyout", ca.key, "-out", ca.cert);
  return ca;
}

/** `<name>.crt` and `<name>.key` in `dir`, signed by `ca`: for a server at `ip`, or a client (extendedKeyUsage clientAuth). */
export function issueCert(ca: TestCa, dir: string, name: string, use: { serverIp: string } | { client: true }): { cert: string; key: string } {
  const out = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const subject = "serverIp" in use ? use.serverIp : name;
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${subject}`, "-keyout", out.key, "-out", join(dir, `${name}.csr`));
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, "serverIp" in use ? `subjectAltName=IP:${use.serverIp}\n` : "extendedKeyUsage=clientAuth\n");
  openssl("x509", "-req", "-in", join(dir, `${name}.csr`), "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", out.cert);
  return out;
}
