/**
 * The part of Go's text/template that `inspect -f` scripts use: literal text, `{{.A.B.C}}`
 * (`{{.}}` is the whole object) and `{{json .A}}`. Values print as Go prints them, so
 * `{{.Config.Cmd}}` shows `[echo hi]` and a missing field shows `<no value>`.
 */

type Piece = { text: string } | { path: string[]; json: boolean };

export class TemplateError extends Error {
  override name = "TemplateError";
}

export function compileTemplate(source: string): (data: unknown) => string {
  const pieces: Piece[] = [];
  const action = /{{-?\s*(.*?)\s*-?}}/g;
  let last = 0;
  for (let match = action.exec(source); match; match = action.exec(source)) {
    pieces.push({ text: source.slice(last, match.index) });
    pieces.push(parseAction(match[1]));
    last = match.index + match[0].length;
  }
  pieces.push({ text: source.slice(last) });
  return (data) => pieces.map((piece) => ("text" in piece ? piece.text : renderAction(piece, data))).join("");
}

function parseAction(body: string): Piece {
  const words = body.split(/\s+/);
  const json = words[0] === "json";
  const field = json ? words[1] : words[0];
  if (words.length !== (json ? 2 : 1) || !field?.startsWith(".")) {
    throw new TemplateError(`Template parsing error: unsupported action {{${body}}} (use {{.Field.Path}} or {{json .Field}})`);
  }
  return { path: field === "." ? [] : field.slice(1).split("."), json };
}

function renderAction(piece: { path: string[]; json: boolean }, data: unknown): string {
  let value: unknown = data;
  for (const key of piece.path) {
    if (value === null || typeof value !== "object" || !(key in value)) return piece.json ? "null" : "<no value>";
    value = (value as Record<string, unknown>)[key];
  }
  return piece.json ? JSON.stringify(value) : goValue(value);
}

/** fmt.Sprint of a decoded JSON value. */
function goValue(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, inner]) => `${key}:${goValue(inner)}`).join(" ")}]`;
  }
  return String(value);
}
