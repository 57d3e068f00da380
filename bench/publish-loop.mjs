// How the events benchmark publishes: the same loop in the raw kafkajs producer and in the
// Kinetic publishing function, so both paths get exactly the same load. With a rate, open loop:
// event i is due at start + i/rate whatever became of the earlier ones, and its latency counts
// from that due time, so a stalled path cannot slow the load down and hide its own stall. As a
// burst: `concurrency` publishes in flight, each next one due when a slot frees.
import { monotonicMs } from "./monotonic-ms.mjs";

/**
 * Calls `publish(index)` for index 0 … count−1 (it resolves the event's id) and resolves one
 * record per event, in index order: `{ id, dueMs, startMs, doneMs, doneWallMs }` (monotonic
 * `monotonicMs()` times; `doneWallMs` is `Date.now()` at `doneMs`, to compare with Kafka record
 * timestamps), or `{ error, dueMs }` when `publish` rejected. `rate` 0 means a burst.
 */
export async function runPublishLoop({ count, rate, concurrency = 10, publish }) {
  const records = new Array(count);
  const one = async (index, dueMs) => {
    const startMs = monotonicMs();
    try {
      const id = await publish(index);
      const doneMs = monotonicMs();
      records[index] = { id, dueMs, startMs, doneMs, doneWallMs: Date.now() };
    } catch (error) {
      records[index] = { error: error instanceof Error ? error.message : String(error), dueMs, startMs };
    }
  };
  if (rate > 0) {
    const intervalMs = 1000 / rate;
    const inFlight = [];
    const startMs = monotonicMs() + 5;
    let next = 0;
    await new Promise((resolve) => {
      // Timers fire late by up to a millisecond or so; each wake-up sends every event now due.
      const tick = () => {
        const now = monotonicMs();
        for (; next < count && startMs + next * intervalMs <= now; next++) inFlight.push(one(next, startMs + next * intervalMs));
        if (next === count) return resolve();
        setTimeout(tick, Math.max(0, startMs + next * intervalMs - monotonicMs()));
      };
      setTimeout(tick, 5);
    });
    await Promise.all(inFlight);
  } else {
    let next = 0;
    const worker = async () => {
      while (next < count) await one(next++, monotonicMs());
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  }
  return records;
}
