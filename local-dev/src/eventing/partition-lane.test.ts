import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { KafkaMessage } from "kafkajs";
import { createPartitionLane } from "./partition-lane.js";

const messages = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ offset: String(from + i), key: null, value: null, timestamp: "0", attributes: 0, headers: {} }) as KafkaMessage);

function lane(concurrency: number, delayOf: (offset: number) => number, signal = new AbortController().signal) {
  const commits: string[] = [];
  const order: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const created = createPartitionLane({
    concurrency,
    signal,
    handle: async (message) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(delayOf(Number(message.offset)), undefined, { signal });
      order.push(Number(message.offset));
      inFlight--;
    },
    commit: async (offset) => void commits.push(offset),
    onCommitError: (err) => assert.fail(String(err)),
  });
  return { lane: created, commits, order, maxInFlight: () => maxInFlight };
}

describe("createPartitionLane", () => {
  it("should process one record at a time in order and commit after each when the concurrency is 1", async () => {
    const { lane: ordered, commits, order, maxInFlight } = lane(1, (o) => (o % 2 === 0 ? 15 : 1));
    let started = false;
    ordered.push(messages(10, 4), () => (started = true));
    await ordered.idle();
    assert.deepEqual(order, [10, 11, 12, 13]);
    assert.deepEqual(commits, ["11", "12", "13", "14"]);
    assert.equal(maxInFlight(), 1);
    assert.ok(started);
  });

  it("should run up to the concurrency at once and commit only past records finished from the start", async () => {
    const { lane: unordered, commits, order, maxInFlight } = lane(3, (o) => (o === 0 ? 60 : 5));
    unordered.push(messages(0, 5), () => {});
    await unordered.idle();
    assert.equal(maxInFlight(), 3);
    assert.equal(order[order.length - 1], 0, "offset 0 finished last");
    assert.deepEqual(commits, ["5"], "nothing committed while offset 0 was in flight");
  });

  it("should take no more records once aborted and not commit past the aborted one", async () => {
    const abort = new AbortController();
    const { lane: aborted, commits, order } = lane(1, (o) => (o === 1 ? 1000 : 1), abort.signal);
    aborted.push(messages(0, 3), () => {});
    await sleep(30);
    abort.abort();
    await aborted.idle();
    assert.deepEqual(order, [0]);
    assert.deepEqual(commits, ["1"]);
  });
});
