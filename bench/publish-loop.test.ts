import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { runPublishLoop } from "./publish-loop.mjs";

describe("runPublishLoop", () => {
  it("should schedule events 1/rate apart and not wait for a slow publish before the next is due", async () => {
    let lastStarted!: () => void;
    const last = new Promise<void>((resolve) => (lastStarted = resolve));
    const records = await runPublishLoop({
      count: 20,
      rate: 1000,
      publish: async (index) => {
        // Event 0 finishes only once the last one started: a loop that waited would never end.
        if (index === 0) await last;
        if (index === 19) lastStarted();
        return `e${index}`;
      },
    });
    assert.equal(records.length, 20);
    records.forEach((r, i) => {
      assert.equal(r.id, `e${i}`);
      assert.ok(Math.abs(r.dueMs - records[0]!.dueMs - i) < 1e-6, `event ${i} is due ${i} ms after the first`);
      assert.ok(r.startMs >= r.dueMs && r.doneMs! >= r.startMs);
    });
    assert.ok(records[19]!.doneMs! <= records[0]!.doneMs!);
  });

  it("should keep at most `concurrency` publishes in flight during a burst, each due when it starts", async () => {
    let inFlight = 0;
    let most = 0;
    const records = await runPublishLoop({
      count: 25,
      rate: 0,
      concurrency: 4,
      publish: async (index) => {
        most = Math.max(most, ++inFlight);
        await sleep(index % 3);
        inFlight--;
        return `e${index}`;
      },
    });
    assert.equal(most, 4);
    assert.deepEqual(records.map((r) => r.id), Array.from({ length: 25 }, (_, i) => `e${i}`));
    for (const r of records) assert.ok(r.doneMs! >= r.startMs && r.startMs >= r.dueMs);
  });

  it("should record a failed publish with its error and go on with the others", async () => {
    const records = await runPublishLoop({
      count: 3,
      rate: 0,
      publish: async (index) => {
        if (index === 1) throw new Error("broker down");
        return `e${index}`;
      },
    });
    assert.equal(records[1]!.error, "broker down");
    assert.equal(records[1]!.id, undefined);
    assert.deepEqual([records[0]!.id, records[2]!.id], ["e0", "e2"]);
  });
});
