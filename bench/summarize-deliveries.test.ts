import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PublishRecord } from "./publish-loop.mjs";
import { latencyPercentiles, summarizeDeliveries } from "./summarize-deliveries.mjs";

/** Event `i` due at 10·i ms, started 1 ms late, its publish done 2 ms after its due time. */
const publishedRecords = (count: number): PublishRecord[] =>
  Array.from({ length: count }, (_, i) => ({ id: `e${i}`, dueMs: 10 * i, startMs: 10 * i + 1, doneMs: 10 * i + 2, doneWallMs: 0 }));

describe("latencyPercentiles", () => {
  it("should take nearest-rank percentiles and the maximum", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.deepEqual(latencyPercentiles(values), { p50Ms: 50, p90Ms: 90, p99Ms: 99, maxMs: 100 });
  });

  it("should give NaN for no values", () => {
    assert.ok(Number.isNaN(latencyPercentiles([]).p50Ms));
  });
});

describe("summarizeDeliveries", () => {
  it("should time each event from its due time to its handling and rate the batch from the first due time", () => {
    const published = publishedRecords(4);
    // Handled 5, 6, 7, 8 ms after their due times, reported out of order.
    const handled = [["e3", 38], ["e0", 5], ["e2", 27], ["e1", 16]] as const;
    const summary = summarizeDeliveries({ published, handled });
    assert.equal(summary.published, 4);
    assert.equal(summary.handled, 4);
    assert.equal(summary.lost, 0);
    assert.equal(summary.duplicates, 0);
    assert.equal(summary.p50Ms, 6);
    assert.equal(summary.maxMs, 8);
    // 4 events between due 0 and handled 38 ms; published by 32 ms.
    assert.equal(summary.eventsPerSecond, 4 / 0.038);
    assert.equal(summary.publishedPerSecond, 4 / 0.032);
    assert.equal(summary.lagP50Ms, 1);
    assert.deepEqual(summary.deliveries.map((d) => d.handledMs), [5, 16, 27, 38]);
  });

  it("should count events never handled as lost and later deliveries of one event as duplicates, timing the first", () => {
    const published = publishedRecords(3);
    const handled = [["e0", 9], ["e0", 4], ["e2", 25], ["e0", 12]] as const;
    const summary = summarizeDeliveries({ published, handled });
    assert.equal(summary.handled, 2);
    assert.equal(summary.lost, 1);
    assert.equal(summary.duplicates, 2);
    assert.deepEqual(summary.deliveries.map((d) => [d.id, d.handledMs - d.dueMs]), [["e0", 4], ["e2", 5]]);
  });

  it("should leave the warm-up, failed publishes and ids it did not publish out of every figure", () => {
    const published: PublishRecord[] = [...publishedRecords(3), { error: "kafka unavailable", dueMs: 30, startMs: 30 }];
    const handled = [["e0", 1000], ["e1", 13], ["e2", 24], ["other", 1], ["e0", 2000]] as const;
    const summary = summarizeDeliveries({ published, handled, warmup: 1 });
    assert.equal(summary.published, 2);
    assert.equal(summary.errors, 1);
    assert.equal(summary.firstError, "kafka unavailable");
    assert.equal(summary.handled, 2);
    assert.equal(summary.duplicates, 0, "the warm-up's duplicates are not counted");
    assert.equal(summary.maxMs, 4);
    assert.equal(summary.eventsPerSecond, 2 / 0.014, "from the first measured due time, 10 ms");
  });

  it("should report no rate and no percentiles when nothing arrived", () => {
    const summary = summarizeDeliveries({ published: publishedRecords(2), handled: [] });
    assert.equal(summary.lost, 2);
    assert.equal(summary.eventsPerSecond, 0);
    assert.ok(Number.isNaN(summary.p99Ms));
  });
});
