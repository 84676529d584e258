/** Progress for a terminal: a few lines a second are plenty, however many chunks go by. */
const PROGRESS_INTERVAL_MS = 100;

/** Wraps `report` so that it runs at most every 100 ms, and always for a call marked `final`. */
export function throttled<T>(report: (value: T) => void): (value: T, final?: boolean) => void {
  let last = 0;
  return (value, final = false) => {
    if (!final && Date.now() - last < PROGRESS_INTERVAL_MS) return;
    last = Date.now();
    report(value);
  };
}
