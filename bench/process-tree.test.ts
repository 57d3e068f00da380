import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMemory, parseStat, totalMemory, treeOf } from "./process-tree.mjs";

describe("parseStat", () => {
  it("should read pid, parent and command name, even a name holding spaces and parentheses", () => {
    assert.deepEqual(parseStat("4242 (node) S 4000 4242 4000 0 -1 4194560 1 0 0 0"), { pid: 4242, ppid: 4000, comm: "node" });
    assert.deepEqual(parseStat("77 (a (b) c) R 1 77 77 0 -1"), { pid: 77, ppid: 1, comm: "a (b) c" });
  });
});

describe("parseMemory", () => {
  it("should read VmRSS and Pss in KiB, and leave PSS undefined without smaps_rollup", () => {
    const status = "Name:\tnode\nVmPeak:\t 900 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n";
    const rollup = "00400000-7ffd [rollup]\nRss:  123456 kB\nPss:   98765 kB\nPss_Anon: 5 kB\n";
    assert.deepEqual(parseMemory(status, rollup), { rssKiB: 123456, pssKiB: 98765 });
    assert.deepEqual(parseMemory(status, undefined), { rssKiB: 123456, pssKiB: undefined });
  });
});

describe("treeOf", () => {
  const processes = [
    { pid: 1, ppid: 0 },
    { pid: 10, ppid: 1 },
    { pid: 12, ppid: 10 },
    { pid: 11, ppid: 10 },
    { pid: 13, ppid: 11 },
    { pid: 20, ppid: 1 },
  ];

  it("should list the root, then every descendant with parents before children, and nothing else", () => {
    assert.deepEqual(
      treeOf(10, processes).map((p) => p.pid),
      [10, 11, 12, 13],
    );
  });

  it("should be empty when the root is gone", () => {
    assert.deepEqual(treeOf(99, processes), []);
  });
});

describe("totalMemory", () => {
  it("should add RSS and PSS, and leave PSS undefined when a process has none", () => {
    assert.deepEqual(totalMemory([{ rssMiB: 100, pssMiB: 60 }, { rssMiB: 50, pssMiB: 20 }]), { rssMiB: 150, pssMiB: 80 });
    assert.deepEqual(totalMemory([{ rssMiB: 100, pssMiB: 60 }, { rssMiB: 50, pssMiB: undefined }]), { rssMiB: 150, pssMiB: undefined });
  });
});
