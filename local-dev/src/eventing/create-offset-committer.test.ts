import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "@kinetic/runtime/testing";
import { createOffsetCommitter, type PartitionOffset } from "./create-offset-committer.js";

/** A committer whose commits take 20 ms and are recorded; the first fails when `failFirst`. */
function committer(intervalMs: number, { failFirst = false, onError = () => {} } = {}) {
  const commits: PartitionOffset[][] = [];
  const errors: unknown[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let failures = failFirst ? 1 : 0;
  const created = createOffsetCommitter({
    intervalMs,
    commit: async (offsets) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(20);
      inFlight--;
      if (failures-- > 0) throw new Error("coordinator not available");
      commits.push([...offsets].sort((a, b) => a.partition - b.partition));
    },
    onError: (err) => {
      errors.push(err);
      onError();
    },
  });
  return { committer: created, commits, errors, maxInFlight: () => maxInFlight };
}

describe("createOffsetCommitter", () => {
  it("should commit each partition's highest marked offset in one request per interval", async () => {
    const { committer: c, commits } = committer(50);
    c.mark(0, "1");
    c.mark(0, "2");
    c.mark(3, "7");
    c.mark(0, "3");
    assert.deepEqual(commits, [], "nothing before the interval");
    await waitFor(() => (commits.length > 0 ? true : undefined), 5_000, "the commit");
    assert.deepEqual(commits, [[{ partition: 0, offset: "3" }, { partition: 3, offset: "7" }]]);
    await sleep(120);
    assert.equal(commits.length, 1, "nothing new, nothing committed");
    await c.close();
  });

  it("should commit everything marked at once on flush and close, one request at a time", async () => {
    const { committer: c, commits, maxInFlight } = committer(60_000);
    c.mark(1, "10");
    const first = c.flush();
    c.mark(1, "11");
    c.mark(2, "4");
    const second = c.flush();
    await Promise.all([first, second]);
    assert.deepEqual(commits, [[{ partition: 1, offset: "11" }, { partition: 2, offset: "4" }]], "the second flush joined the first, still waiting to start");
    c.mark(2, "5");
    await c.close();
    assert.deepEqual(commits.at(-1), [{ partition: 2, offset: "5" }]);
    assert.equal(maxInFlight(), 1);
    c.mark(2, "6");
    await sleep(50);
    assert.equal(commits.length, 2, "no timer after close");
  });

  it("should keep a failed commit's offsets for the next one unless a higher offset was marked", async () => {
    // Partition 1 moves on while its commit fails: the retry takes the higher offset.
    const { committer: c, commits, errors } = committer(40, { failFirst: true, onError: () => c.mark(1, "12") });
    c.mark(0, "5");
    c.mark(1, "9");
    await waitFor(() => (commits.length > 0 ? true : undefined), 5_000, "the retried commit");
    assert.equal(errors.length, 1);
    assert.deepEqual(commits, [[{ partition: 0, offset: "5" }, { partition: 1, offset: "12" }]]);
    await c.close();
  });
});
