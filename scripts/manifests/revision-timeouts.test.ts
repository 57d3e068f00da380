import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runtimeEnv } from "@kinetic/runtime";
import { revisionTimeoutProblems, revisionTimeouts } from "./revision-timeouts.js";

const runtime = { maxRequestMs: runtimeEnv.KINETIC_MAX_TIMEOUT_MS.defaultValue!, drainMs: runtimeEnv.KINETIC_DRAIN_TIMEOUT_MS.defaultValue! };

describe("revisionTimeouts", () => {
  it("should cover the runtime's longest call plus the margin, start as late, and never cut idle responses", () => {
    assert.deepEqual(runtime, { maxRequestMs: 300_000, drainMs: 25_000 }, "the runtime's defaults");
    assert.deepEqual(revisionTimeouts(runtime), { timeoutSeconds: 310, responseStartTimeoutSeconds: 310, idleTimeoutSeconds: 0 });
  });

  it("should let the termination grace cover the queue-proxy's drain, the runtime's and its shutdown when calls are short", () => {
    // 30 s quiet period + 25 s drain + 15 s shutdown outlast a 10 s call.
    assert.equal(revisionTimeouts({ maxRequestMs: 10_000, drainMs: 25_000 }).timeoutSeconds, 70);
    assert.equal(revisionTimeouts({ maxRequestMs: 10_000, drainMs: 100_000 }).timeoutSeconds, 145);
  });

  it("should satisfy its own rules over a range of runtime bounds", () => {
    for (const maxRequestMs of [1, 999, 1000, 59_500, 300_000, 589_001]) {
      for (const drainMs of [0, 1, 25_000, 500_000]) {
        const timeouts = revisionTimeouts({ maxRequestMs, drainMs }, 3600);
        assert.deepEqual(revisionTimeoutProblems(timeouts, { maxRequestMs, drainMs }, 3600), [], `${maxRequestMs} ms calls, ${drainMs} ms drain`);
      }
    }
  });

  it("should reject runtime bounds the cluster's max-revision-timeout-seconds cannot cover", () => {
    assert.throws(() => revisionTimeouts({ maxRequestMs: 900_000, drainMs: 25_000 }), /timeoutSeconds 910 exceeds max-revision-timeout-seconds 600/);
    assert.throws(() => revisionTimeouts({ maxRequestMs: 10_000, drainMs: 600_000 }), /timeoutSeconds 645 exceeds max-revision-timeout-seconds 600/);
    assert.equal(revisionTimeouts({ maxRequestMs: 900_000, drainMs: 25_000 }, 1200).timeoutSeconds, 910);
  });
});

describe("revisionTimeoutProblems", () => {
  const valid = { timeoutSeconds: 310, responseStartTimeoutSeconds: 310, idleTimeoutSeconds: 0 };

  it("should reject a request timeout that would cut calls the runtime allows", () => {
    assert.match(revisionTimeoutProblems({ ...valid, timeoutSeconds: 300, responseStartTimeoutSeconds: 300 }, runtime).join(), /timeoutSeconds 300 is below 310: Knative would cut calls/);
  });

  it("should reject a termination grace shorter than the queue-proxy's drain, the runtime's drain and shutdown", () => {
    const problems = revisionTimeoutProblems({ timeoutSeconds: 60, responseStartTimeoutSeconds: 60, idleTimeoutSeconds: 0 }, { maxRequestMs: 10_000, drainMs: 25_000 });
    assert.deepEqual(problems.length, 1, problems.join("\n"));
    assert.match(problems[0]!, /timeoutSeconds 60 is below 70: as terminationGracePeriodSeconds it must cover the queue-proxy's 30 s drain/);
  });

  it("should reject a response start timeout shorter than a call, or longer than the request timeout", () => {
    assert.match(revisionTimeoutProblems({ ...valid, responseStartTimeoutSeconds: 30 }, runtime).join(), /responseStartTimeoutSeconds 30 must be from 310 to timeoutSeconds/);
    assert.match(revisionTimeoutProblems({ ...valid, responseStartTimeoutSeconds: 400 }, runtime).join(), /responseStartTimeoutSeconds 400/);
  });

  it("should reject an idle timeout that would cut a call still computing or a quiet stream", () => {
    assert.match(revisionTimeoutProblems({ ...valid, idleTimeoutSeconds: 60 }, runtime).join(), /idleTimeoutSeconds 60 must be 0 \(no limit\) or at least 310/);
    assert.deepEqual(revisionTimeoutProblems({ ...valid, idleTimeoutSeconds: 310 }, runtime), []);
  });

  it("should reject a request timeout above the cluster's bound", () => {
    assert.match(revisionTimeoutProblems({ ...valid, timeoutSeconds: 700 }, runtime).join(), /timeoutSeconds 700 exceeds max-revision-timeout-seconds 600/);
  });
});
