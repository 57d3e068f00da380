// The events benchmark's figures: what a publisher recorded joined with what the subscriber
// recorded, by event id.
import { percentile } from "./stats.mjs";

const min = (values) => values.reduce((a, b) => Math.min(a, b), Infinity);
const max = (values) => values.reduce((a, b) => Math.max(a, b), -Infinity);

/** p50, p90, p99 and max of `values`, in `{ p50Ms, p90Ms, p99Ms, maxMs }` (NaN when empty). */
export function latencyPercentiles(values) {
  return { p50Ms: percentile(values, 50), p90Ms: percentile(values, 90), p99Ms: percentile(values, 99), maxMs: percentile(values, 100) };
}

/**
 * Joins `published` (runPublishLoop's records, in index order) with `handled` (`[id, atMs]`
 * pairs from the subscriber, any order, duplicates possible) by id; the first `warmup` records
 * count in no figure, and ids published by no measured record are ignored. Returns the counts
 * (`published`, `errors`, `handled`, `lost`, `duplicates`: deliveries beyond the first), the
 * publish → handled percentiles from each event's due time (first delivery), `eventsPerSecond`
 * from the first due time to the last event handled, `publishedPerSecond` to the last publish
 * done, the publisher's own lag behind its schedule, and `deliveries`: the measured records
 * that arrived, each with `handledMs`.
 */
export function summarizeDeliveries({ published, handled, warmup = 0 }) {
  const measured = published.slice(warmup);
  const ok = measured.filter((r) => r.error === undefined);
  const failed = measured.filter((r) => r.error !== undefined);
  const wanted = new Set(ok.map((r) => r.id));
  const firstHandled = new Map();
  let duplicates = 0;
  for (const [id, atMs] of handled) {
    if (!wanted.has(id)) continue;
    const seen = firstHandled.get(id);
    if (seen !== undefined) duplicates++;
    if (seen === undefined || atMs < seen) firstHandled.set(id, atMs);
  }
  const deliveries = ok.filter((r) => firstHandled.has(r.id)).map((r) => ({ ...r, handledMs: firstHandled.get(r.id) }));
  const firstDueMs = min(measured.map((r) => r.dueMs));
  const seconds = (endMs) => (endMs - firstDueMs) / 1000;
  const lags = measured.map((r) => r.startMs - r.dueMs);
  return {
    published: ok.length,
    errors: failed.length,
    firstError: failed[0]?.error,
    handled: deliveries.length,
    lost: ok.length - deliveries.length,
    duplicates,
    ...latencyPercentiles(deliveries.map((r) => r.handledMs - r.dueMs)),
    eventsPerSecond: deliveries.length === 0 ? 0 : deliveries.length / seconds(max(deliveries.map((r) => r.handledMs))),
    publishedPerSecond: ok.length === 0 ? 0 : ok.length / seconds(max(ok.map((r) => r.doneMs))),
    lagP50Ms: percentile(lags, 50),
    lagMaxMs: percentile(lags, 100),
    deliveries,
  };
}
