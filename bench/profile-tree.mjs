// A V8 CPU profile (`.cpuprofile`: nodes with callFrame and children, samples, timeDeltas) as a
// call tree with each function's frames merged, every frame labelled with whose code it is.
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The categories a frame falls in, with their labels, in the order tables and legends list them. */
export const categoryLabels = {
  kinetic: "Kinetic (shared/)",
  connect: "connect-es, protobuf-es",
  node: "Node (node:*)",
  native: "V8 builtins, C++",
  other: "other JS",
  gc: "GC",
  program: "(program)",
  idle: "idle",
};

/** The category of a V8 call frame ({ functionName, url }): a key of `categoryLabels`. */
export function categoryOf({ functionName, url }) {
  if (url === "") {
    if (functionName === "(garbage collector)") return "gc";
    if (functionName === "(program)" || functionName === "(root)") return "program";
    if (functionName === "(idle)") return "idle";
    return "native";
  }
  if (url.startsWith("node:")) return "node";
  if (/\/node_modules\/@(connectrpc|bufbuild)\//.test(url)) return "connect";
  // The runtime is shared/ in this repository, @kinetic/runtime where a function installs it.
  if (url.includes("/node_modules/@kinetic/") || (!url.includes("/node_modules/") && url.includes("/shared/"))) return "kinetic";
  return "other";
}

/** Where a frame's code is, short: `shared/dist/x.js:12`, `@connectrpc/connect/…:3`, `node:http:1`; "" for native code. */
export function locationOf({ url, lineNumber }) {
  if (url === "") return "";
  let path = url;
  if (url.startsWith("file://")) {
    path = fileURLToPath(url);
    const modules = path.lastIndexOf("/node_modules/");
    if (modules >= 0) path = path.slice(modules + "/node_modules/".length);
    else if (path.startsWith(root)) path = path.slice(root.length);
  }
  return lineNumber >= 0 ? `${path}:${lineNumber + 1}` : path;
}

/**
 * Microseconds each sample stands for: the time to the next sample (the last one: to the
 * profile's end), as Chrome's DevTools count it. Out-of-order timestamps count 0.
 */
export function sampleDurations({ startTime, endTime, timeDeltas }) {
  const stamps = [];
  let t = startTime;
  for (const delta of timeDeltas) stamps.push((t += delta));
  return stamps.map((stamp, i) => Math.max(0, (i + 1 < stamps.length ? stamps[i + 1] : endTime) - stamp));
}

/**
 * The profile's call tree with the frames of one function (name, url and line) under the same
 * parent merged: each node `{ key, name, location, category, selfUs, totalUs, children }`,
 * children by total time, largest first. The root is V8's `(root)`.
 */
export function callTree(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfById = new Map();
  const durations = sampleDurations(profile);
  profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + durations[i]));
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const top = profile.nodes.find((node) => !childIds.has(node.id));
  const merged = (frame) => ({
    key: `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}`,
    name: frame.functionName || "(anonymous)",
    location: locationOf(frame),
    category: categoryOf(frame),
    selfUs: 0,
    totalUs: 0,
    children: new Map(),
  });
  const tree = merged(top.callFrame);
  const stack = [[top, tree]];
  while (stack.length > 0) {
    const [node, into] = stack.pop();
    into.selfUs += selfById.get(node.id) ?? 0;
    for (const id of node.children ?? []) {
      const child = byId.get(id);
      const frame = merged(child.callFrame);
      if (!into.children.has(frame.key)) into.children.set(frame.key, frame);
      stack.push([child, into.children.get(frame.key)]);
    }
  }
  const finish = (node) => {
    const children = [...node.children.values()].map(finish).sort((a, b) => b.totalUs - a.totalUs);
    return { ...node, children, totalUs: node.selfUs + children.reduce((sum, c) => sum + c.totalUs, 0) };
  };
  return finish(tree);
}

/** Self time per category over all of `tree` (from `callTree`): a Map of category → µs. */
export function categoryTimes(tree) {
  const times = new Map();
  const add = (node) => {
    times.set(node.category, (times.get(node.category) ?? 0) + node.selfUs);
    node.children.forEach(add);
  };
  add(tree);
  return times;
}
