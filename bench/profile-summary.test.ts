import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { handMade } from "./profile-fixture.js";
import { summarizeProfile } from "./profile-summary.mjs";

describe("summarizeProfile", () => {
  it("should share the busy time out by category, idle apart", () => {
    const summary = summarizeProfile(handMade);
    assert.deepEqual([summary.samples, summary.sampledUs, summary.idleUs, summary.busyUs], [9, 1400, 400, 1000]);
    assert.deepEqual(
      summary.categories.map((c) => [c.category, c.us, c.share]),
      [["kinetic", 100, 0.1], ["connect", 400, 0.4], ["node", 25, 0.025], ["native", 250, 0.25], ["other", 0, 0], ["gc", 125, 0.125], ["program", 100, 0.1]],
    );
  });

  it("should list the functions by self time, without GC, (program) and idle, up to `top`", () => {
    const { functions } = summarizeProfile(handMade);
    assert.deepEqual(
      functions.map((f) => [f.name, f.selfShare, f.totalShare]),
      [["writev", 0.25, 0.25], ["handle", 0.2, 0.4], ["toJson", 0.2, 0.2], ["serve", 0.1, 0.775], ["emit", 0.025, 0.025]],
    );
    assert.deepEqual(functions[1], { name: "handle", location: "@connectrpc/connect/dist/esm/h.js:5", category: "connect", selfUs: 200, selfShare: 0.2, totalShare: 0.4 });
    assert.deepEqual(summarizeProfile(handMade, { top: 2 }).functions.map((f) => f.name), ["writev", "handle"]);
  });

  it("should add a function's self time over every stack it is in, and its total once per stack when it recurses", () => {
    const f = { functionName: "f", url: "node:x", lineNumber: 0 };
    const g = { functionName: "g", url: "node:x", lineNumber: 9 };
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 }, children: [2, 4] },
        { id: 2, callFrame: f, children: [3] },
        { id: 3, callFrame: f },
        { id: 4, callFrame: g, children: [5] },
        { id: 5, callFrame: f },
      ],
      startTime: 0,
      endTime: 400,
      samples: [2, 3, 5, 4],
      timeDeltas: [0, 100, 100, 100],
    };
    const { functions } = summarizeProfile(profile);
    assert.deepEqual(
      functions.map((fn) => [fn.name, fn.selfUs, fn.totalShare]),
      [["f", 300, 0.75], ["g", 100, 0.5]],
    );
  });
});
