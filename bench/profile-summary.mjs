// A CPU profile in numbers: the share of busy time each category of code took, and the
// functions with the most self time.
import { callTree, categoryLabels, categoryTimes } from "./profile-tree.mjs";

/** Frames that are not functions: they count in the categories, not in the function list. */
const notFunctions = new Set(["idle", "gc", "program"]);

/**
 * Summarizes a V8 CPU profile. Resolves `{ samples, sampledUs, idleUs, busyUs, categories,
 * functions }`: `busyUs` is every sample's time but idle's; `categories` lists each category
 * but idle as `{ category, label, us, share }` (share of `busyUs`), in `categoryLabels`'
 * order; `functions` the `top` functions by self time, `{ name, location, category, selfUs,
 * selfShare, totalShare }`, a function's frames in every stack added up, its total counted
 * once per stack however deep it recurses.
 *
 * @example
 * const { categories, functions } = summarizeProfile(JSON.parse(await readFile(file, "utf8")));
 */
export function summarizeProfile(profile, { top = 15 } = {}) {
  const tree = callTree(profile);
  const byCategory = categoryTimes(tree);
  const byFunction = new Map();
  const onStack = new Map();
  const visit = (node) => {
    const counted = node !== tree && !notFunctions.has(node.category);
    if (counted) {
      const fn = byFunction.get(node.key) ?? { name: node.name, location: node.location, category: node.category, selfUs: 0, totalUs: 0 };
      byFunction.set(node.key, fn);
      fn.selfUs += node.selfUs;
      if (!onStack.get(node.key)) fn.totalUs += node.totalUs;
      onStack.set(node.key, (onStack.get(node.key) ?? 0) + 1);
    }
    for (const child of node.children) visit(child);
    if (counted) onStack.set(node.key, onStack.get(node.key) - 1);
  };
  visit(tree);
  const idleUs = byCategory.get("idle") ?? 0;
  const busyUs = tree.totalUs - idleUs;
  const share = (us) => (busyUs > 0 ? us / busyUs : 0);
  const categories = Object.entries(categoryLabels)
    .filter(([category]) => category !== "idle")
    .map(([category, label]) => ({ category, label, us: byCategory.get(category) ?? 0, share: share(byCategory.get(category) ?? 0) }));
  const functions = [...byFunction.values()]
    .sort((a, b) => b.selfUs - a.selfUs)
    .slice(0, top)
    .map(({ totalUs, ...fn }) => ({ ...fn, selfShare: share(fn.selfUs), totalShare: share(totalUs) }));
  return { samples: profile.samples.length, sampledUs: tree.totalUs, idleUs, busyUs, categories, functions };
}
