/**
 * Docker's rule for the values of one filter key: every `label` must hold (compose finds a
 * service's containers by three), the values of any other key are alternatives (`status=created`
 * or `status=exited`).
 */
export function filterValuesHold(key: string, values: string[], holds: (value: string) => boolean): boolean {
  return key === "label" ? values.every(holds) : values.some(holds);
}

/** Docker's label filter: `key` (the label is set) or `key=value` (set to that value). */
export function labelMatches(labels: Record<string, string> | null | undefined, filter: string): boolean {
  const equals = filter.indexOf("=");
  const key = equals < 0 ? filter : filter.slice(0, equals);
  if (!labels || !(key in labels)) return false;
  return equals < 0 || labels[key] === filter.slice(equals + 1);
}
