import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { brokerEventOf, type BrokerEvent } from "./broker-event.js";
import { createTriggerQueue } from "./create-trigger-queue.js";

const event = (id: string): BrokerEvent => brokerEventOf({ specversion: "1.0", id, source: "/s", type: "t" }, Buffer.alloc(0));

/** A queue whose deliveries wait until the test finishes them, by event id. */
function gatedQueue(options: { capacity?: number; concurrency?: number; ordered: boolean }) {
  const started: string[] = [];
  const pending = new Map<string, () => void>();
  const queue = createTriggerQueue({
    capacity: options.capacity ?? 100,
    concurrency: options.concurrency ?? 10,
    ordered: options.ordered,
    handle: (e) =>
      new Promise<void>((resolve) => {
        started.push(e.attributes["id"]!);
        pending.set(e.attributes["id"]!, resolve);
      }),
  });
  const finish = async (id: string) => {
    const resolve = pending.get(id);
    assert.ok(resolve, `${id} is in flight`);
    pending.delete(id);
    resolve();
    await new Promise((r) => setImmediate(r));
  };
  return { queue, started, finish };
}

describe("createTriggerQueue", () => {
  it("should deliver one event at a time per key when ordered, keys side by side", async () => {
    const { queue, started, finish } = gatedQueue({ ordered: true });
    for (const [id, key] of [["a1", "a"], ["b1", "b"], ["a2", "a"], ["a3", "a"], ["b2", "b"]] as const) queue.push(event(id), key);
    assert.deepEqual(started, ["a1", "b1"]);
    await finish("a1");
    assert.deepEqual(started, ["a1", "b1", "a2"]);
    await finish("b1");
    await finish("a2");
    assert.deepEqual(started, ["a1", "b1", "a2", "b2", "a3"]);
    await finish("b2");
    await finish("a3");
    assert.equal(queue.size, 0);
  });

  it("should give events without a key, and every event when unordered, no order at all", () => {
    const ordered = gatedQueue({ ordered: true });
    ordered.queue.push(event("x1"), undefined);
    ordered.queue.push(event("x2"), undefined);
    assert.deepEqual(ordered.started, ["x1", "x2"]);
    const unordered = gatedQueue({ ordered: false, concurrency: 2 });
    for (const id of ["u1", "u2", "u3"]) unordered.queue.push(event(id), "same");
    assert.deepEqual(unordered.started, ["u1", "u2"], "bounded by concurrency, not by key");
  });

  it("should refuse beyond its capacity, counting events in flight, and take more once one finished", async () => {
    const { queue, finish } = gatedQueue({ ordered: true, capacity: 2, concurrency: 1 });
    assert.equal(queue.push(event("1"), "k"), true);
    assert.equal(queue.push(event("2"), "k"), true);
    assert.equal(queue.full, true);
    assert.equal(queue.push(event("3"), "k"), false);
    await finish("1");
    assert.equal(queue.push(event("3"), "k"), true);
  });

  it("should forget waiting events on clear and report them, leaving those in flight to finish", async () => {
    const { queue, started, finish } = gatedQueue({ ordered: true, concurrency: 1 });
    for (const id of ["1", "2", "3"]) queue.push(event(id), "k");
    assert.equal(queue.clear(), 2);
    assert.equal(queue.size, 1);
    let idle = false;
    const waiting = queue.idle().then(() => (idle = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(idle, false, "one still in flight");
    await finish("1");
    await waiting;
    assert.deepEqual(started, ["1"], "nothing started after clear");
    assert.equal(queue.size, 0);
  });
});
