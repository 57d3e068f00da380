// The profiles' section of the report: the Kinetic runtime with its fast paths off (before) and
// on (after): req/s and CPU per request, the flame graphs, where the CPU goes by category, and
// the functions with the most self time. The flame graphs are published to docs/perf/.
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { integer, ms, noise, ratio, table, unavailable } from "./markdown.mjs";

const ok = (r) => r?.status === "ok";
/** Where the published flame graphs live, relative to the repository root (and BENCHMARKS.md). */
export const flameGraphDir = "docs/perf";
const pct = (share) => (100 * share).toFixed(1);

/** Sets `ratio` (req/s) and `cpuRatio` (CPU µs per request) of each row against its protocol's fast-path-off row; null without one. */
export function addFastPathRatios(rows) {
  for (const r of rows.filter(ok)) {
    const base = rows.find((b) => ok(b) && b.protocol === r.protocol && b.fastPath === "off");
    r.ratio = base ? r.requestsPerSecond / base.requestsPerSecond : null;
    r.cpuRatio = base ? r.cpuUsPerRequest / base.cpuUsPerRequest : null;
  }
}

/** The table of req/s and CPU per request, one row per profile. */
export function profileTable(rows) {
  return table(
    ["Protocol", "Fast path", "Load", "req/s", "vs off", "CPU µs/request", "vs off", "sampled µs/request", "idle %", "p50 ms", "p99 ms", "steal %", "other cores"],
    rows.map((r) => {
      const head = [r.protocolLabel, r.fastPath, r.tool];
      if (!ok(r)) return [...head, unavailable(r.reason), "", "", "", "", "", "", "", "", ""];
      const errors = r.errors > 0 ? ` (${integer.format(r.errors)} errors)` : "";
      const vs = (v) => (r.fastPath === "off" || v === null ? "" : ratio(v));
      return [...head, integer.format(r.requestsPerSecond) + errors, vs(r.ratio), integer.format(r.cpuUsPerRequest), vs(r.cpuRatio), integer.format(r.sampledUsPerRequest), pct(r.summary.idleUs / r.summary.sampledUs), ms(r.p50Ms), ms(r.p99Ms), ...noise(r)];
    }),
    3,
  );
}

/** Each category's share of the busy samples, one column per profile. */
export function categoryTable(rows) {
  const measured = rows.filter(ok);
  const header = ["Share of busy samples, %", ...measured.map((r) => `${r.protocolLabel}, ${r.fastPath}`)];
  const categories = measured[0]?.summary.categories ?? [];
  return table(header, categories.map((c, i) => [c.label, ...measured.map((r) => pct(r.summary.categories[i].share))]), 1);
}

/** A function as a table cell: its name in code style, then where it is. */
function functionCell(fn) {
  const where = fn.location ? ` ${fn.location.replaceAll("|", "\\|")}` : "";
  return `\`${fn.name.replaceAll("|", "\\|")}\`${where}`;
}

/** The top self-time functions of `off` and `on` (rows of one protocol) side by side. */
export function topFunctionsTable(off, on) {
  const columns = [off, on].filter(ok);
  const length = Math.max(...columns.map((r) => r.summary.functions.length));
  const header = ["#", ...columns.flatMap((r) => [`fast path ${r.fastPath}: function`, "self %", "total %"])];
  const lines = Array.from({ length }, (_, i) => [
    String(i + 1),
    ...columns.flatMap((r) => {
      const fn = r.summary.functions[i];
      return fn ? [functionCell(fn), pct(fn.selfShare), pct(fn.totalShare)] : ["", "", ""];
    }),
  ]);
  // Text and figures alternate, which markdown.mjs's table (text columns first) cannot align.
  const align = ["---:", ...columns.flatMap(() => ["---", "---:", "---:"])];
  return [header, align, ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** Markdown image of `row`'s published flame graph, linked to the file (its tooltips work there). */
const image = (r) => `[![${r.protocolLabel}, fast path ${r.fastPath}](${flameGraphDir}/${r.name}.svg)](${flameGraphDir}/${r.name}.svg)`;

/** The profiles' section as markdown lines; none when no profile was taken. */
export function profileSections(report) {
  const p = report.profile;
  if (p === undefined || p.rows.length === 0) return [];
  const { settings: s, environment: env } = report;
  const lines = [
    "",
    "### Profiles: the Kinetic runtime with its fast paths off (before) and on (after)",
    "",
    `_Measured ${report.date} at commit ${env.commit}${env.dirty ? " plus uncommitted changes" : ""} with \`${p.command}\`._ The Kinetic echo server (\`bench/servers/kinetic.mjs\`, from \`shared/dist\`) with \`KINETIC_FAST_PATH=off\` (connect-node's adapter serves every request, as before the fast paths) and \`on\` (its own Connect and gRPC unary paths), a process per row on core ${s.serverCore}, loaded from core ${s.loadCore} as the throughput table is: ${s.connections} connections, ${s.warmupSeconds} s warm-up, then ${s.durationSeconds} s under V8's sampling profiler (every ${p.notes.samplingIntervalUs} µs, started from inside the server after the warm-up, \`bench/profile-hook.mjs\`). \`CPU µs/request\`: the server's CPU from \`/proc\` during those seconds over its requests; \`sampled\`: the main thread's busy (non-idle) samples over the requests (\`/proc\` also counts V8's helper threads: concurrent GC, compilers, the profiler); \`idle %\`: the main thread's idle samples, above a few percent the load generator, not the server, set the pace. The profiler itself costs a few percent: compare the req/s within this table, not with the throughput table's.`,
    "",
    profileTable(p.rows),
  ];
  const protocols = [...new Set(p.rows.map((r) => r.protocol))];
  const measured = p.rows.filter(ok);
  if (measured.length === 0) return lines;
  lines.push(
    "",
    `Flame graphs (\`bench/flame-graph.mjs\`; open one for its tooltips: total and self time of each frame). Blue: Kinetic (\`shared/\`), green: connect-es and protobuf-es, orange: Node's JavaScript (\`node:*\`), red: V8 builtins and C++ bindings, purple: other JavaScript, grey: GC and \`(program)\` (V8 and Node's C++ outside any JavaScript frame: the event loop, sockets, HTTP parsing). Idle time is left out.`,
  );
  for (const protocol of protocols) {
    const pair = measured.filter((r) => r.protocol === protocol);
    if (pair.length === 0) continue;
    lines.push("", `**${pair[0].protocolLabel}**, ${pair.map((r) => `fast path ${r.fastPath}`).join(", then ")}:`, "", ...pair.map(image));
  }
  lines.push("", "**Where the CPU goes**: each category's self time, as a share of the busy samples.", "", categoryTable(p.rows));
  for (const protocol of protocols) {
    const off = measured.find((r) => r.protocol === protocol && r.fastPath === "off");
    const on = measured.find((r) => r.protocol === protocol && r.fastPath === "on");
    if (!off && !on) continue;
    const label = (off ?? on).protocolLabel;
    lines.push("", `**${label}: the functions with the most self time**, as a share of the busy samples (total: with what they call).`, "", topFunctionsTable(off, on));
  }
  return lines;
}

/** Copies each profiled row's flame graph to `flameGraphDir` as `<name>.svg`; resolves the paths written. */
export async function publishFlameGraphs(rows, root) {
  await mkdir(join(root, flameGraphDir), { recursive: true });
  const written = [];
  for (const r of rows.filter(ok)) {
    const to = `${flameGraphDir}/${r.name}.svg`;
    await copyFile(join(root, r.svgFile), join(root, to));
    written.push(to);
  }
  return written;
}
