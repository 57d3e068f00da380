// Renders a run as markdown tables and writes its JSON results (and BENCHMARKS.md on request).
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { integer, ms, noise, ratio, table, unavailable } from "./markdown.mjs";
import { activatorSections } from "./report-activator.mjs";
import { chainSections } from "./report-chains.mjs";
import { eventSections } from "./report-events.mjs";
import { goalSections } from "./report-goals.mjs";
import { throughputRatio } from "./throughput-ratio.mjs";

const docStart = "<!-- bench:results:start -->";
const docEnd = "<!-- bench:results:end -->";
/** The markers around a section a partial run may rewrite on its own (`--only=activator --update-doc`). */
const sectionStart = (name) => `<!-- bench:${name}:start -->`;
const sectionEnd = (name) => `<!-- bench:${name}:end -->`;

/** `lines` between the markers of section `name`; nothing when there are no lines. */
function markedSection(name, lines) {
  return lines.length === 0 ? [] : ["", sectionStart(name), ...lines, sectionEnd(name)];
}

/**
 * Sets each row's ratios to the baseline's row of the same run (null without a baseline); a
 * throughput row's `ratio`, `ratioMin` and `ratioMax` are `throughputRatio`'s.
 * Returns false when rows of a kind were measured but its baseline was not.
 */
export function addRatios({ throughput, coldStart }, baselineId) {
  const ok = (r) => r.status === "ok";
  const base = throughput.find((r) => ok(r) && r.id.startsWith(`${baselineId}:`));
  for (const r of throughput.filter(ok)) {
    const { ratio, min, max } = base ? throughputRatio(r, base) : { ratio: null };
    r.ratio = ratio;
    if (min !== undefined && r !== base) Object.assign(r, { ratioMin: min, ratioMax: max });
  }
  const coldBase = coldStart.find((r) => ok(r) && r.id.startsWith(`${baselineId}:`));
  for (const r of coldStart.filter(ok)) {
    r.startRatio = coldBase ? r.startMs.median / coldBase.startMs.median : null;
    r.rssRatio = coldBase ? r.idleRssMiB.median / coldBase.idleRssMiB.median : null;
  }
  return (throughput.length === 0 || base !== undefined) && (coldStart.length === 0 || coldBase !== undefined);
}

/** The throughput table: one row per server × protocol. */
export function throughputTable(rows) {
  return table(
    ["Server", "Protocol", "Load", "req/s", "p50 ms", "p99 ms", "vs node:http", "steal %", "other cores"],
    rows.map((r) => {
      if (r.status !== "ok") return [r.server, r.protocol, r.tool, unavailable(r.reason), "", "", "", "", ""];
      const errors = r.errors > 0 ? ` (${integer.format(r.errors)} errors)` : "";
      const range = r.ratioMin === undefined ? "" : ` (${ratio(r.ratioMin)}–${ratio(r.ratioMax)})`;
      return [r.server, r.protocol, r.tool, integer.format(r.requestsPerSecond) + errors, ms(r.p50Ms), ms(r.p99Ms), ratio(r.ratio) + range, ...noise(r)];
    }),
    3,
  );
}

/** The cold-start table: one row per server. */
export function coldStartTable(rows) {
  return table(
    ["Server", "First request", "start ms, median (min–max)", "vs node:http", "idle RSS MiB", "vs node:http", "steal %", "other cores"],
    rows.map((r) => {
      if (r.status !== "ok") return [r.server, r.protocol, unavailable(r.reason), "", "", "", "", ""];
      const start = `${ms(r.startMs.median)} (${ms(r.startMs.min)}–${ms(r.startMs.max)})`;
      return [r.server, r.protocol, start, ratio(r.startRatio), r.idleRssMiB.median.toFixed(1), ratio(r.rssRatio), ...noise(r)];
    }),
    2,
  );
}

/** The whole run as markdown: when, where, with which settings, then both tables. */
export function renderMarkdown(report) {
  const { environment: env, settings: s } = report;
  const runs =
    s.rounds > 1
      ? `${s.durationSeconds} s measured per case, in ${s.rounds} rounds that each start every server afresh for each case in turn (the median round is shown; a ratio is the median of the rounds' ratios, its range in brackets)`
      : `${s.durationSeconds} s measured per case, each on a fresh process`;
  const lines = [
    `Measured ${report.date} at commit ${env.commit}: Node ${env.node}, ${env.cpuModel}, ${env.cores} vCPUs, ${env.memoryGiB} GiB, ${env.kernel}; ${env.wrk}; ${env.h2load}.`,
    `Servers pinned to core ${s.serverCore}, harness and load generator to core ${s.loadCore}; ${s.connections} connections with one request in flight each; ${s.warmupSeconds} s warm-up, then ${runs}. Cold start: ${s.coldStartRuns} fresh processes per server.`,
    "`steal %`: CPU time the hypervisor took from this VM during the measurement; `other cores`: CPU used by unrelated processes. Both skew the figures.",
  ];
  lines.push(...goalSections(report));
  if (report.throughput.length > 0) lines.push("", "### Throughput (unary echo)", "", throughputTable(report.throughput));
  if (report.coldStart.length > 0) lines.push("", "### Cold start and idle memory", "", coldStartTable(report.coldStart));
  lines.push(...chainSections(report));
  lines.push(...eventSections(report));
  lines.push(...markedSection("activator", activatorSections(report)));
  return lines.join("\n");
}

async function writeAtomically(path, text) {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

/** Writes `results/<date>.json`, and `results/latest.json` too unless `latest` is false; resolves the dated file's path. */
export async function writeResults(report, dir, { latest = true } = {}) {
  await mkdir(dir, { recursive: true });
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const dated = join(dir, `${report.date.replaceAll(":", "-")}.json`);
  await writeAtomically(dated, text);
  if (latest) await writeAtomically(join(dir, "latest.json"), text);
  return dated;
}

/** Replaces the text between the results markers of BENCHMARKS.md with `markdown`. */
export async function updateDoc(path, markdown) {
  const doc = await readFile(path, "utf8");
  const start = doc.indexOf(docStart);
  const end = doc.indexOf(docEnd);
  if (start < 0 || end < start) throw new Error(`${path} has no ${docStart} … ${docEnd} section`);
  await writeAtomically(path, `${doc.slice(0, start + docStart.length)}\n${markdown}\n${doc.slice(end)}`);
}

/**
 * Replaces section `name` of BENCHMARKS.md's results (between its own markers) with
 * `markdown`, or adds it at the end of the results when the document has no such section yet.
 * The rest of the document stays as it was.
 */
export async function updateDocSection(path, name, markdown) {
  const doc = await readFile(path, "utf8");
  const start = doc.indexOf(sectionStart(name));
  const end = doc.indexOf(sectionEnd(name));
  const resultsEnd = doc.indexOf(docEnd);
  if (resultsEnd < 0) throw new Error(`${path} has no ${docEnd} marker`);
  const section = `${sectionStart(name)}\n${markdown.replace(/^\n+/, "")}\n${sectionEnd(name)}`;
  const next =
    start >= 0 && end > start
      ? `${doc.slice(0, start)}${section}${doc.slice(end + sectionEnd(name).length)}`
      : `${doc.slice(0, resultsEnd)}${section}\n${doc.slice(resultsEnd)}`;
  await writeAtomically(path, next);
}
