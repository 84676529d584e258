/**
 * User-defined networks on disk: `networks/<id>.json`, each written atomically and removed
 * with one unlink, so a crash leaves a network either whole or gone. The default networks
 * (bridge, host, none) are not stored: they follow from the daemon's options.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { consola } from "consola";
import { fsyncDir, writeJsonAtomic } from "../util/atomic-write.ts";

export interface NetworkRecord {
  Id: string;
  Name: string;
  Created: string;
  Internal: boolean;
  Attachable: boolean;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  /** IPAM: the subnet (`10.1.0.0/24`), the bridge's own address, and the range handed out from. */
  Subnet: string;
  Gateway: string;
  IPRange?: string;
  /** The Linux bridge: `br-` and 12 characters of the ID, as Docker names it. */
  Bridge: string;
}

export class NetworkStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Every stored network; an unreadable file is reported and skipped, never fatal. */
  load(): NetworkRecord[] {
    const records: NetworkRecord[] = [];
    for (const entry of readdirSync(this.dir)) {
      if (!entry.endsWith(".json")) continue;
      try {
        records.push(JSON.parse(readFileSync(join(this.dir, entry), "utf8")) as NetworkRecord);
      } catch (err) {
        consola.warn(`network ${entry}: unreadable (${(err as Error).message}); skipped`);
      }
    }
    return records;
  }

  save(record: NetworkRecord): void {
    writeJsonAtomic(join(this.dir, `${record.Id}.json`), record);
  }

  remove(id: string): void {
    rmSync(join(this.dir, `${id}.json`), { force: true });
    fsyncDir(this.dir);
  }
}
