/** `WWW-Authenticate` challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */

export interface Challenge {
  /** Lower case: "basic" or "bearer". */
  scheme: string;
  params: Record<string, string>;
}

const SCHEME = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s*/;
const PARAM = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/;

export function parseChallenges(header: string | null): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header ?? "";
  while (rest.trim() !== "") {
    const scheme = SCHEME.exec(rest);
    if (!scheme) break;
    rest = rest.slice(scheme[0].length);
    const params: Record<string, string> = {};
    for (let param = PARAM.exec(rest); param; param = PARAM.exec(rest)) {
      params[param[1].toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, "$1") : param[3];
      rest = rest.slice(param[0].length);
    }
    challenges.push({ scheme: scheme[1].toLowerCase(), params });
    rest = rest.replace(/^\s*,/, "");
  }
  return challenges;
}
