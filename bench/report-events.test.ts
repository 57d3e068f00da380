import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addEventRatios, eventsTable, type EventRow } from "./report-events.mjs";

function row(path: string, shape: "burst" | "rate", fields: Record<string, unknown>): EventRow {
  return {
    id: `events:${path}:${shape}`,
    path,
    label: path,
    shape,
    status: "ok",
    events: 1000,
    concurrency: 10,
    rate: 200,
    durationSeconds: 10,
    published: 1000,
    errors: 0,
    lost: 0,
    duplicates: 0,
    publishedPerSecond: 1000,
    p50Ms: 2,
    p90Ms: 3,
    p99Ms: 4,
    cpuMsPerEvent: { producer: 0.25, consumer: 0.25, kafka: 0.5 },
    stealPercent: 0,
    otherCores: 0,
    ...fields,
  };
}

describe("addEventRatios", () => {
  it("should compare handled/s in bursts and p50 and p99 at the fixed rate with the kafkajs row of the same shape", () => {
    const rows = [
      row("kafkajs", "burst", { eventsPerSecond: 1000 }),
      row("kafkajs", "rate", { eventsPerSecond: 200, p50Ms: 2, p99Ms: 10 }),
      row("runtime", "burst", { eventsPerSecond: 250 }),
      row("runtime", "rate", { eventsPerSecond: 200, p50Ms: 9, p99Ms: 40 }),
    ];
    addEventRatios(rows);
    assert.equal(rows[2]!["ratio"], 0.25);
    assert.equal(rows[3]!["p50Ratio"], 4.5);
    assert.equal(rows[3]!["p99Ratio"], 4);
    assert.equal(rows[0]!["ratio"], 1);
  });

  it("should leave the ratios null when the baseline did not run", () => {
    const rows = [row("kafkajs", "burst", { status: "unavailable", reason: "no Kafka" }), row("runtime", "burst", { eventsPerSecond: 250 })];
    addEventRatios(rows);
    assert.equal(rows[1]!["ratio"], null);
  });
});

describe("eventsTable", () => {
  it("should show lost events, a fixed rate not kept up with, and why a row did not run", () => {
    const rows = [
      row("runtime", "burst", { eventsPerSecond: 250, lost: 22, cpuMsPerEvent: { publisher: 1, dispatcher: 1, subscriber: 1, postgres: 2, kafka: 0.5 } }),
      row("runtime", "rate", { eventsPerSecond: 120 }),
      row("kafkajs", "rate", { status: "unavailable", reason: "no Kafka | at all" }),
    ];
    addEventRatios(rows);
    const [, , burst, rate, unavailable] = eventsTable(rows).split("\n");
    assert.match(burst!, /\| 1,000 \(22 lost\) \|/);
    assert.match(burst!, /\| 3\.00 \/ 2\.00 \/ 0\.50 \|/, "the path's processes, then Postgres, then Kafka");
    assert.match(rate!, /\| 120 \(saturated\) \|/);
    assert.match(unavailable!, /not available: no Kafka \\\| at all/);
  });
});
