import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { KafkaMessage } from "kafkajs";
import { waitFor } from "@kinetic/runtime/testing";
import { createPartitionLane } from "./partition-lane.js";

const messages = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ offset: String(from + i), key: null, value: null, timestamp: "0", attributes: 0, headers: {} }) as KafkaMessage);

function lane(concurrency: number, delayOf: (offset: number) => number, { signal = new AbortController().signal, maxQueued = 100 } = {}) {
  const committable: string[] = [];
  const order: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const created = createPartitionLane({
    concurrency,
    maxQueued,
    signal,
    handle: async (message) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(delayOf(Number(message.offset)), undefined, { signal });
      order.push(Number(message.offset));
      inFlight--;
    },
    onCommittable: (offset) => void committable.push(offset),
  });
  return { lane: created, committable, order, maxInFlight: () => maxInFlight };
}

/** A kafkajs `pause` that records the partition's state. */
function pauser() {
  const events: string[] = [];
  return { events, pause: () => (events.push("pause"), () => void events.push("resume")) };
}

describe("createPartitionLane", () => {
  it("should process one record at a time in order and report each outcome when the concurrency is 1", async () => {
    const { lane: ordered, committable, order, maxInFlight } = lane(1, (o) => (o % 2 === 0 ? 15 : 1));
    const { events, pause } = pauser();
    ordered.push(messages(10, 4), pause);
    await ordered.idle();
    assert.deepEqual(order, [10, 11, 12, 13]);
    assert.deepEqual(committable, ["11", "12", "13", "14"]);
    assert.equal(maxInFlight(), 1);
    assert.deepEqual(events, [], "a few records waiting do not pause the partition");
  });

  it("should run up to the concurrency at once and report only past records finished from the start", async () => {
    const { lane: unordered, committable, order, maxInFlight } = lane(3, (o) => (o === 0 ? 60 : 5));
    unordered.push(messages(0, 5), pauser().pause);
    await unordered.idle();
    assert.equal(maxInFlight(), 3);
    assert.equal(order[order.length - 1], 0, "offset 0 finished last");
    assert.deepEqual(committable, ["5"], "nothing reported while offset 0 was in flight");
  });

  it("should keep taking batches while busy, pause the partition at maxQueued waiting and resume it at half", async () => {
    const { lane: ordered, committable, order } = lane(1, () => 5, { maxQueued: 4 });
    const { events, pause } = pauser();
    ordered.push(messages(0, 2), pause);
    ordered.push(messages(2, 2), pause);
    assert.deepEqual(events, [], "3 waiting behind the one in flight: under maxQueued");
    ordered.push(messages(4, 2), pause);
    assert.deepEqual(events, ["pause"], "5 waiting");
    await waitFor(() => (events.length === 2 ? true : undefined), 5_000, "the resume");
    assert.ok(order.length >= 3, `resumed once 2 were waiting, after ${order.length} finished`);
    await ordered.idle();
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(events, ["pause", "resume"]);
    assert.equal(committable.at(-1), "6");
  });

  it("should take no more records once aborted, report nothing past the aborted one and not resume", async () => {
    const abort = new AbortController();
    const { lane: aborted, committable, order } = lane(1, (o) => (o === 1 ? 1000 : 1), { signal: abort.signal, maxQueued: 1 });
    const { events, pause } = pauser();
    aborted.push(messages(0, 3), pause);
    await sleep(30);
    abort.abort();
    await aborted.idle();
    assert.deepEqual(order, [0]);
    assert.deepEqual(committable, ["1"]);
    assert.deepEqual(events, ["pause"], "the rejoined consumer resumes its partitions itself");
  });
});
