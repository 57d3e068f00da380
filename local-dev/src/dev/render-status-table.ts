import type { ActivatorStatus } from "../activator/activator-status.js";

const columns = ["function", "address", "instances", "cold start", "requests", "errors"] as const;

/**
 * The console's live table, one line per function: its address on the activator, instances
 * ready/starting, the last cold start, requests so far and errors with the latest one.
 * Lines are cut at `width` so the table never wraps (the console redraws it in place).
 */
export function renderStatusTable(status: ActivatorStatus, width = 160): string[] {
  const rows = status.functions.map((fn) => [
    fn.name,
    fn.url,
    `${fn.ready}/${fn.starting}${fn.draining > 0 ? ` (-${fn.draining})` : ""}${fn.queued > 0 ? ` ${fn.queued} queued` : ""}`,
    fn.lastColdStart ? `${fn.lastColdStart.readyMs} ms` : "—",
    String(fn.requests),
    fn.errors === 0 ? "0" : `${fn.errors} (${fn.recentErrors.at(-1)?.message ?? ""})`,
  ]);
  const widths = columns.map((title, i) => Math.max(title.length, ...rows.map((r) => (i === columns.length - 1 ? 0 : r[i]!.length))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .slice(0, width);
  return [
    `kinetic dev — ${status.url} routes by Host (<name>.localhost) and RPC path; each function also has its own port — Ctrl-C stops everything`.slice(0, width),
    line(columns),
    ...rows.map(line),
  ];
}
