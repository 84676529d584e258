/**
 * Resolves `-u user[:group]` against the container's own /etc/passwd and /etc/group (read
 * after pivot_root, so the host's files never answer), as Docker does.
 */
import { existsSync, readFileSync } from "node:fs";

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: every group in /etc/group that lists the user. */
  groups: number[];
  home: string;
}

function readColonFile(path: string): string[][] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split(":"));
}

const isNumeric = (s: string) => /^\d+$/.test(s);

export function resolveUser(spec: string, passwdPath = "/etc/passwd", groupPath = "/etc/group"): ResolvedUser {
  const [userPart = "", groupPart] = spec.split(":", 2);
  const passwd = readColonFile(passwdPath);
  const groups = readColonFile(groupPath);
  // No user given means root, even in an image without /etc/passwd.
  const name = userPart === "" ? "0" : userPart;
  const entry = passwd.find((f) => (isNumeric(name) ? f[2] === name : f[0] === name));
  if (!entry && !isNumeric(name)) throw new Error(`unable to find user ${name}: no matching entries in passwd file`);
  const uid = entry ? Number(entry[2]) : Number(name);
  let gid = entry ? Number(entry[3]) : 0;
  if (groupPart !== undefined && groupPart !== "") {
    const group = groups.find((f) => (isNumeric(groupPart) ? f[2] === groupPart : f[0] === groupPart));
    if (!group && !isNumeric(groupPart)) throw new Error(`unable to find group ${groupPart}: no matching entries in group file`);
    gid = group ? Number(group[2]) : Number(groupPart);
  }
  const userName = entry?.[0];
  const supplementary = userName
    ? groups.filter((f) => (f[3] ?? "").split(",").includes(userName)).map((f) => Number(f[2]))
    : [];
  return { uid, gid, groups: [...new Set([gid, ...supplementary])], home: entry?.[5] || "/" };
}

/** `--group-add` entries: group names from the container's /etc/group, or numeric IDs. */
export function resolveGroups(names: string[], groupPath = "/etc/group"): number[] {
  if (names.length === 0) return [];
  const groups = readColonFile(groupPath);
  return names.map((name) => {
    const group = groups.find((f) => (isNumeric(name) ? f[2] === name : f[0] === name));
    if (!group && !isNumeric(name)) throw new Error(`unable to find group ${name}: no matching entries in group file`);
    return group ? Number(group[2]) : Number(name);
  });
}
