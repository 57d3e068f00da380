// A V8 CPU profile as a self-contained SVG flame graph: the root at the bottom, each frame as
// wide as the time spent in it and in what it called, coloured by whose code it is, with a
// tooltip (`<title>`) giving its total and self share. No script, no external resources.
import { callTree, categoryLabels, categoryTimes } from "./profile-tree.mjs";

const frameHeight = 16;
const margin = 10;
const headerHeight = 58;
/** Width of one character of the 11 px monospace labels, to cut them to their frame. */
const charWidth = 6.7;
const hues = { kinetic: 210, connect: 120, node: 30, native: 0, other: 280 };

const escapes = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" };
const escapeXml = (text) => text.replace(/[<>&"]/g, (c) => escapes[c]);
const percent = (share) => `${(100 * share).toFixed(2)}%`;
const round = (v) => Math.round(v * 10) / 10;

/** A frame's fill: its category's hue, lighter or darker by its name so neighbours differ. */
function fill(category, name) {
  let hash = 0;
  for (const c of name) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const shade = hash % 16;
  const hue = hues[category];
  if (hue !== undefined) return `hsl(${hue},60%,${56 + shade}%)`;
  return `hsl(0,0%,${(category === "gc" ? 52 : 72) + shade}%)`;
}

/** The text drawn in a frame `width` px wide: its name, cut with ".." to fit; "" when too narrow. */
export function frameLabel(name, width) {
  const fits = Math.floor((width - 6) / charWidth);
  if (fits < 3) return "";
  return name.length <= fits ? name : `${name.slice(0, fits - 2)}..`;
}

/**
 * Renders a V8 CPU profile as an SVG flame graph. Idle samples are left out; GC and
 * `(program)` are frames of their own on the root. Frames of less than `minShare` of the busy
 * time are not drawn (their time stays in their parent's width), which keeps the file small.
 *
 * @param profile the parsed `.cpuprofile`
 * @param options `title` (default ""), `width` in px (default 1200), `minShare` (default 0.001)
 * @example
 * await writeFile("x.svg", flameGraphSvg(JSON.parse(await readFile("x.cpuprofile", "utf8")), { title: "x" }));
 */
export function flameGraphSvg(profile, { title = "", width = 1200, minShare = 0.001 } = {}) {
  const tree = callTree(profile);
  const idleUs = tree.children.filter((c) => c.category === "idle").reduce((sum, c) => sum + c.totalUs, 0);
  const children = tree.children.filter((c) => c.category !== "idle");
  const all = { ...tree, name: "all", location: "", children, totalUs: tree.totalUs - idleUs };
  const scale = all.totalUs > 0 ? (width - 2 * margin) / all.totalUs : 0;
  const minUs = Math.max(all.totalUs * minShare, Number.MIN_VALUE);
  const byCategory = categoryTimes(tree);
  const frames = [];
  const place = (node, x, depth) => {
    frames.push({ node, x, depth });
    let next = x;
    for (const child of node.children) {
      if (child.totalUs >= minUs) place(child, next, depth + 1);
      next += child.totalUs;
    }
  };
  if (all.totalUs > 0) place(all, 0, 0);
  const depth = Math.max(0, ...frames.map((f) => f.depth)) + 1;
  const height = headerHeight + depth * frameHeight + margin;
  const share = (us) => (all.totalUs > 0 ? us / all.totalUs : 0);
  const ms = (us) => `${(us / 1000).toFixed(1)} ms`;
  const rows = frames.map(({ node, x, depth: d }) => {
    const w = node.totalUs * scale;
    const fx = round(margin + x * scale);
    const fy = height - margin - (d + 1) * frameHeight;
    const where = node.location ? ` (${node.location})` : "";
    const tip = `${node.name}${where}\n${categoryLabels[node.category]}; total ${percent(share(node.totalUs))} (${ms(node.totalUs)}), self ${percent(share(node.selfUs))} (${ms(node.selfUs)})`;
    const label = frameLabel(node.name, w);
    const text = label ? `<text x="${round(fx + 3)}" y="${fy + 11.5}">${escapeXml(label)}</text>` : "";
    const colour = node === all ? "#d8d8d8" : fill(node.category, node.name);
    return `<g><title>${escapeXml(tip)}</title><rect x="${fx}" y="${fy}" width="${round(w)}" height="${frameHeight - 1}" fill="${colour}"/>${text}</g>`;
  });
  let legendX = margin;
  const legend = Object.entries(categoryLabels)
    .filter(([category]) => category !== "idle")
    .map(([category, label]) => {
      const text = `${label} ${percent(share(byCategory.get(category) ?? 0))}`;
      const item = `<rect x="${round(legendX)}" y="40" width="10" height="10" fill="${fill(category, "")}"/><text x="${round(legendX + 14)}" y="49">${escapeXml(text)}</text>`;
      legendX += 14 + text.length * charWidth + 14;
      return item;
    });
  const note = `${ms(all.totalUs)} busy in ${profile.samples.length} samples; idle ${ms(idleUs)} not drawn, nor frames under ${percent(minShare)}. Hover a frame for its total and self time.`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<style>text{font:11px monospace;fill:#000}.t{font:bold 14px sans-serif}.n{font:12px sans-serif;fill:#444}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text class="t" x="${margin}" y="18">${escapeXml(title)}</text>`,
    `<text class="n" x="${margin}" y="33">${escapeXml(note)}</text>`,
    ...legend,
    ...rows,
    "</svg>",
    "",
  ].join("\n");
}
