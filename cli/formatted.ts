/**
 * `--format` as the docker CLI reads it: a Go template per row, or `table TEMPLATE` for a
 * header row (the column names of `headers`) and columns split at tabs and aligned as docker's
 * tabwriter does. `\t` and `\n` typed in the shell are the characters, as docker takes them.
 */
import { alignColumns } from "./render.ts";
import { compileTemplate } from "./template.ts";

export function formattedRows<Row extends object>(format: string, headers: { [K in keyof Row]: string }): (rows: Row[]) => string {
  const source = format.replaceAll("\\t", "\t").replaceAll("\\n", "\n");
  const table = /^table(\s|$)/.test(source);
  const render = compileTemplate(table ? source.replace(/^table\s?/, "") : source);
  if (!table) return (rows) => rows.map((row) => render(row)).join("\n");
  const header = render(headers);
  return (rows) => alignColumns([header, ...rows.map((row) => render(row))].map((line) => line.split("\t")), 10, 3);
}
