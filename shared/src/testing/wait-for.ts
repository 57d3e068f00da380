/** Polls `probe` every 10 ms until it returns a value other than undefined; rejects after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000, what = "condition"): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
