/** `--label k=v` (or `--label k`, an empty value) as the map the API takes. */
export function labelsOf(list: string[]): Record<string, string> {
  return Object.fromEntries(list.map((label) => (label.includes("=") ? [label.slice(0, label.indexOf("=")), label.slice(label.indexOf("=") + 1)] : [label, ""])));
}
