import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { flameGraphSvg, frameLabel } from "./flame-graph.mjs";
import { connectUrl, frame, handMade, here } from "./profile-fixture.js";
import { callTree, categoryOf, locationOf, sampleDurations, type TreeNode } from "./profile-tree.mjs";

/** The tree's nodes by name, depth first. */
function byName(tree: TreeNode): Map<string, TreeNode> {
  const nodes = new Map<string, TreeNode>();
  const visit = (node: TreeNode) => {
    nodes.set(node.name, node);
    node.children.forEach(visit);
  };
  visit(tree);
  return nodes;
}

/** Each drawn frame of an SVG by name: its tooltip, x, y and width. */
function framesOf(svg: string) {
  const frames = new Map<string, { tip: string; x: number; y: number; width: number }>();
  for (const m of svg.matchAll(/<g><title>([^<]*)<\/title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g)) {
    const tip = m[1]!;
    frames.set(tip.split(/[ \n]/)[0]!, { tip, x: Number(m[2]), y: Number(m[3]), width: Number(m[4]) });
  }
  return frames;
}

describe("categoryOf and locationOf", () => {
  it("should tell Kinetic's code from connect-es, protobuf-es, Node, native code, GC and the rest", () => {
    assert.equal(categoryOf(frame("serve", here("shared/dist/server/x.js"))), "kinetic");
    assert.equal(categoryOf(frame("serve", "file:///app/node_modules/@kinetic/runtime/dist/x.js")), "kinetic");
    assert.equal(categoryOf(frame("x", "file:///app/node_modules/shared/x.js")), "other");
    assert.equal(categoryOf(frame("handle", connectUrl)), "connect");
    assert.equal(categoryOf(frame("toBinary", here("node_modules/@bufbuild/protobuf/dist/esm/x.js"))), "connect");
    assert.equal(categoryOf(frame("Hono", here("node_modules/hono/dist/hono.js"))), "other");
    assert.equal(categoryOf(frame("emit", "node:events")), "node");
    assert.equal(categoryOf(frame("writev")), "native");
    assert.equal(categoryOf(frame("(garbage collector)")), "gc");
    assert.equal(categoryOf(frame("(program)")), "program");
    assert.equal(categoryOf(frame("(idle)")), "idle");
  });

  it("should name code by its package or its path in the repository, lines counted from 1", () => {
    assert.equal(locationOf({ url: connectUrl, lineNumber: 4 }), "@connectrpc/connect/dist/esm/h.js:5");
    assert.equal(locationOf({ url: here("shared/dist/server/x.js"), lineNumber: 0 }), "shared/dist/server/x.js:1");
    assert.equal(locationOf({ url: "node:events", lineNumber: 470 }), "node:events:471");
    assert.equal(locationOf({ url: "", lineNumber: -1 }), "");
  });
});

describe("sampleDurations", () => {
  it("should give each sample the time to the next one, the last the time to the end, and out-of-order samples 0", () => {
    assert.deepEqual(sampleDurations(handMade), [100, 100, 200, 100, 250, 400, 100, 125, 25]);
    assert.deepEqual(sampleDurations({ startTime: 0, endTime: 10, timeDeltas: [1, 5, -2, 3] }), [5, 0, 3, 3]);
  });
});

describe("callTree", () => {
  it("should merge a function's frames under one parent and add up self and total time", () => {
    const tree = callTree(handMade);
    const nodes = byName(tree);
    assert.equal(tree.totalUs, 1400);
    assert.deepEqual(
      tree.children.map((c) => [c.name, c.totalUs]),
      [["serve", 775], ["(idle)", 400], ["(garbage collector)", 125], ["(program)", 100]],
    );
    assert.deepEqual(
      nodes.get("serve")!.children.map((c) => [c.name, c.selfUs, c.totalUs]),
      [["handle", 200, 400], ["writev", 250, 250], ["emit", 25, 25]],
    );
    assert.equal(nodes.get("serve")!.selfUs, 100);
    assert.equal(nodes.get("toJson")!.totalUs, 200);
    assert.equal(nodes.get("handle")!.category, "connect");
    assert.equal(nodes.get("toJson")!.location, "@bufbuild/protobuf/dist/esm/to-json.js:49");
  });
});

describe("flameGraphSvg", () => {
  it("should draw each frame as wide as its share of the busy time, the root at the bottom, idle left out", () => {
    // 1,020 px less 10 px margins: 1 px per µs of the 1,000 busy µs.
    const frames = framesOf(flameGraphSvg(handMade, { width: 1020 }));
    const at = (name: string) => {
      const f = frames.get(name);
      assert.ok(f, `no frame ${name}`);
      return [f.x, f.width, f.y];
    };
    // 4 rows of 16 px under a 58 px header, 10 px margin: the root's row starts at y = 106.
    assert.deepEqual(at("all"), [10, 1000, 106]);
    assert.deepEqual(at("serve"), [10, 775, 90]);
    assert.deepEqual(at("(garbage"), [785, 125, 90]);
    assert.deepEqual(at("(program)"), [910, 100, 90]);
    assert.deepEqual(at("handle"), [10, 400, 74]);
    assert.deepEqual(at("writev"), [410, 250, 74]);
    assert.deepEqual(at("emit"), [660, 25, 74]);
    assert.deepEqual(at("toJson"), [10, 200, 58]);
    assert.equal(frames.has("(idle)"), false);
    assert.equal(frames.size, 8);
  });

  it("should give each frame a tooltip with its location, category, total and self share", () => {
    const frames = framesOf(flameGraphSvg(handMade));
    assert.equal(frames.get("serve")!.tip, "serve (shared/dist/server/x.js:10)\nKinetic (shared/); total 77.50% (0.8 ms), self 10.00% (0.1 ms)");
    assert.equal(frames.get("handle")!.tip, "handle (@connectrpc/connect/dist/esm/h.js:5)\nconnect-es, protobuf-es; total 40.00% (0.4 ms), self 20.00% (0.2 ms)");
    assert.equal(frames.get("writev")!.tip, "writev\nV8 builtins, C++; total 25.00% (0.3 ms), self 25.00% (0.3 ms)");
  });

  it("should leave out frames under minShare, their time staying in their parent's width", () => {
    const svg = flameGraphSvg(handMade, { width: 1020, minShare: 0.05 });
    const frames = framesOf(svg);
    assert.equal(frames.has("emit"), false);
    assert.equal(frames.get("serve")!.width, 775);
    assert.match(svg, /nor frames under 5\.00%/);
  });

  it("should state the busy and idle time and each category's share, and escape text", () => {
    const profile = { ...handMade, nodes: handMade.nodes.map((n) => (n.id === 10 ? { ...n, callFrame: frame("get <a & b>", "node:events", 1) } : n)) };
    const svg = flameGraphSvg(profile, { title: "echo <JSON> & gRPC" });
    assert.match(svg, /<text class="t" x="10" y="18">echo &lt;JSON&gt; &amp; gRPC<\/text>/);
    assert.match(svg, /1\.0 ms busy in 9 samples; idle 0\.4 ms not drawn/);
    assert.match(svg, /<title>get &lt;a &amp; b&gt; \(node:events:2\)/);
    for (const share of ["Kinetic \\(shared\\/\\) 10\\.00%", "connect-es, protobuf-es 40\\.00%", "Node \\(node:\\*\\) 2\\.50%", "GC 12\\.50%", "\\(program\\) 10\\.00%"]) {
      assert.match(svg, new RegExp(`>${share}</text>`));
    }
    assert.equal(svg.match(/<g>/g)?.length, svg.match(/<\/g>/g)?.length);
  });
});

describe("frameLabel", () => {
  it("should cut a name to its frame's width, and draw none in a frame narrower than three characters", () => {
    assert.equal(frameLabel("parserOnHeadersComplete", 400), "parserOnHeadersComplete");
    assert.equal(frameLabel("parserOnHeadersComplete", 60), "parser..");
    assert.equal(frameLabel("abc", 30), "abc");
    assert.equal(frameLabel("abcd", 20), "");
  });
});
