/**
 * The CLI's TLS to a `tcp://` daemon, as the docker CLI finds it: `--tls`/`--tlsverify` and the
 * three files given as flags, else from `DOCKER_TLS_VERIFY`/`BUNKER_TLS_VERIFY` and the
 * directory `DOCKER_CERT_PATH`/`BUNKER_CERT_PATH` (default ~/.docker), holding ca.pem,
 * cert.pem and key.pem. With verify, the daemon's certificate must be the CA's.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface ClientTls {
  verify: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

export interface TlsFlags {
  tls: boolean;
  tlsverify: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

export function clientTls(flags: TlsFlags, env: Record<string, string | undefined> = process.env): ClientTls | undefined {
  const envVerify = Boolean(env.BUNKER_TLS_VERIFY || env.DOCKER_TLS_VERIFY);
  const given = flags.tls || flags.tlsverify || envVerify || flags.tlscacert !== undefined || flags.tlscert !== undefined;
  if (!given) return undefined;
  const dir = env.BUNKER_CERT_PATH || env.DOCKER_CERT_PATH || join(homedir(), ".docker");
  const file = (flag: string | undefined, name: string) => {
    const path = flag ?? join(dir, name);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  };
  return { verify: flags.tlsverify || envVerify, ca: file(flags.tlscacert, "ca.pem"), cert: file(flags.tlscert, "cert.pem"), key: file(flags.tlskey, "key.pem") };
}
