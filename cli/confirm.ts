/** Docker's prune prompt: only "y" or "yes" (any case) on the first line of stdin goes ahead. */
export async function confirmed(question: string): Promise<boolean> {
  process.stdout.write(question);
  for await (const line of console) return /^\s*y(es)?\s*$/i.test(line);
  return false;
}
