// A V8 CPU profile made by hand for the tests of the profile modules, with its figures
// worked out by hand.
import type { CpuProfile } from "./profile-tree.mjs";

/** The file URL of `path` in the repository. */
export const here = (path: string) => new URL(`../${path}`, import.meta.url).href;
/** A V8 call frame; native code without a url. */
export const frame = (functionName: string, url = "", lineNumber = -1) => ({ functionName, url, lineNumber, scriptId: "0", columnNumber: 0 });
/** A file of connect-es, as the profile of an installed package names it. */
export const connectUrl = here("node_modules/@connectrpc/connect/dist/esm/h.js");

/**
 * By hand: each sample stands for the time to the next one (the last: to endTime). Busy time
 * 1,000 µs, idle 400 µs. Merged tree: all 1000 = serve 775 (self 100; handle 400 = self
 * 100 + 100 of two nodes, toJson 200; writev 250; emit 25) + GC 125 + (program) 100.
 */
export const handMade: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 3, 4, 9] },
    { id: 2, callFrame: frame("(program)") },
    { id: 3, callFrame: frame("(idle)") },
    { id: 4, callFrame: frame("serve", here("shared/dist/server/x.js"), 9), children: [5, 6, 7, 10] },
    { id: 5, callFrame: frame("handle", connectUrl, 4), children: [8] },
    // The same function again (V8 splits a function's frames by code object): merged with 5.
    { id: 6, callFrame: { ...frame("handle", connectUrl, 4), columnNumber: 7 } },
    { id: 7, callFrame: frame("writev") },
    { id: 8, callFrame: frame("toJson", here("node_modules/@bufbuild/protobuf/dist/esm/to-json.js"), 48) },
    { id: 9, callFrame: frame("(garbage collector)") },
    { id: 10, callFrame: frame("emit", "node:events", 470) },
  ],
  startTime: 1000,
  endTime: 2450,
  samples: [4, 5, 8, 6, 7, 3, 2, 9, 10],
  timeDeltas: [50, 100, 100, 200, 100, 250, 400, 100, 125],
};
