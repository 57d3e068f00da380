// The emulator section of the report: cold starts through the activator against the function
// spawned by hand, throughput through the activator against the instance's own port, and the
// whole platform's idle memory at zero and warm.
import { integer, ms, noise, ratio, table, unavailable } from "./markdown.mjs";
import { percentile } from "./stats.mjs";

const ok = (r) => r?.status === "ok";
const mib = (v) => (v === undefined ? "—" : v.toFixed(1));
const signed = (v) => `${v < 0 ? "−" : "+"}${ms(Math.abs(v))}`;

/** Median, p99 (nearest rank: the slowest of fewer than 100), min and max of `values`. */
export function spread(values) {
  return { median: percentile(values, 50), p99: percentile(values, 99), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * One cold-start row's figures from its kept runs ({ firstByteMs, readyMs?, otherCores,
 * stealPercent }): the spread of first-byte times, of the activator's own spawn → ready
 * record when the runs have it, and the mean interference.
 */
export function summarizeColdStarts(runs) {
  const mean = (key) => runs.reduce((sum, r) => sum + r[key], 0) / runs.length;
  const ready = runs.map((r) => r.readyMs).filter((v) => v !== undefined);
  return {
    runs: runs.length,
    firstByteMs: spread(runs.map((r) => r.firstByteMs)),
    ...(ready.length === runs.length ? { readyMs: spread(ready) } : {}),
    otherCores: mean("otherCores"),
    stealPercent: mean("stealPercent"),
  };
}

/**
 * The median of a port's throughput rounds by req/s (the lower middle of an even count),
 * with every round's req/s in `roundsPerSecond`.
 */
export function medianRound(runs) {
  const sorted = runs.toSorted((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)], roundsPerSecond: runs.map((r) => r.requestsPerSecond) };
}

/**
 * Compares each activator row with the direct row of the same run: cold starts get `addedMs`
 * ({ median, p99 } first-byte difference) and `ratio` (of medians); throughput rows get
 * `ratio` (req/s), `addedP50Ms`, `addedP99Ms` and `addedCpuMs` (per request). Null without
 * a direct row.
 */
export function addActivatorComparisons({ cold = [], load = [] }) {
  for (const r of cold.filter((row) => ok(row) && row.path !== "direct")) {
    const base = cold.find((b) => ok(b) && b.path === "direct" && b.target === r.target);
    r.addedMs = base ? { median: r.firstByteMs.median - base.firstByteMs.median, p99: r.firstByteMs.p99 - base.firstByteMs.p99 } : null;
    r.ratio = base ? r.firstByteMs.median / base.firstByteMs.median : null;
  }
  for (const r of load.filter(ok)) {
    const base = load.find((b) => ok(b) && b.target === "direct" && b.protocol === r.protocol);
    r.ratio = base ? r.requestsPerSecond / base.requestsPerSecond : null;
    r.addedP50Ms = base ? r.p50Ms - base.p50Ms : null;
    r.addedP99Ms = base ? r.p99Ms - base.p99Ms : null;
    r.addedCpuMs = base ? r.cpuMsPerRequest - base.cpuMsPerRequest : null;
  }
}

/** The cold-start table: per function, through the activator and spawned directly. */
export function coldTable(rows) {
  return table(
    ["Function, first request", "Path", "runs", "first byte ms: median", "p99", "min–max", "vs direct: median / p99", "activator's spawn → ready ms, median", "steal %", "other cores"],
    rows.map((r) => {
      if (!ok(r)) return [r.label, r.pathLabel, unavailable(r.reason), "", "", "", "", "", "", ""];
      const f = r.firstByteMs;
      const added = r.addedMs ? `${signed(r.addedMs.median)} / ${signed(r.addedMs.p99)} (${ratio(r.ratio)})` : r.path === "direct" ? "baseline" : "n/a";
      return [r.label, r.pathLabel, r.runs, ms(f.median), ms(f.p99), `${ms(f.min)}–${ms(f.max)}`, added, r.readyMs ? ms(r.readyMs.median) : "—", ...noise(r)];
    }),
    2,
  );
}

/** The throughput table: per protocol, directly to the instance, then through the activator's ports. */
export function loadTable(rows) {
  return table(
    ["Protocol", "To", "Load", "req/s", "p50 ms", "p99 ms", "vs direct", "added p50 / p99 ms", "CPU ms/request: emulator + instance", "steal %", "other cores"],
    rows.map((r) => {
      if (!ok(r)) return [r.protocolLabel, r.targetLabel, r.tool, unavailable(r.reason), "", "", "", "", "", "", ""];
      const errors = r.errors > 0 ? ` (${integer.format(r.errors)} errors)` : "";
      const added = r.target === "direct" || r.addedP50Ms === null ? "" : `${signed(r.addedP50Ms)} / ${signed(r.addedP99Ms)}`;
      const cpu = `${(r.cpuMsPerRequest * r.emulatorCpuShare).toFixed(2)} + ${(r.cpuMsPerRequest * (1 - r.emulatorCpuShare)).toFixed(2)}`;
      return [r.protocolLabel, r.targetLabel, r.tool, integer.format(r.requestsPerSecond) + errors, ms(r.p50Ms), ms(r.p99Ms), ratio(r.ratio), added, cpu, ...noise(r)];
    }),
    3,
  );
}

/** The memory table: each process of the emulator's tree at zero and warm, their sums, then the services it found running. */
export function memoryTable(memory) {
  const [zero, warm] = memory.states;
  const roles = [...new Set([...zero.processes, ...warm.processes].map((p) => p.role))];
  const cell = (state, role) => {
    const found = state.processes.filter((p) => p.role === role);
    if (found.length === 0) return "—";
    const label = found.length > 1 ? ` (${found.length} processes)` : "";
    const sum = (key) => (found.every((p) => p[key] !== undefined) ? found.reduce((s, p) => s + p[key], 0) : undefined);
    return `${mib(sum("rssMiB"))} / ${mib(sum("pssMiB"))}${label}`;
  };
  const rows = roles.map((role) => [role, cell(zero, role), cell(warm, role)]);
  const total = (state) => `**${mib(state.total.rssMiB)} / ${mib(state.total.pssMiB)}**`;
  rows.push([`**the platform: ${zero.processes.length} processes at zero, ${warm.processes.length} warm**`, total(zero), total(warm)]);
  const services = [...new Set([...zero.external, ...warm.external].map((s) => s.service))];
  for (const service of services) {
    const cellOf = (state) => {
      const s = state.external.find((e) => e.service === service);
      return s ? `${mib(s.rssMiB)} / ${mib(s.pssMiB)}${s.processes > 1 ? ` (${s.processes} processes)` : ""}` : "—";
    };
    rows.push([`not counted, found running: ${service}`, cellOf(zero), cellOf(warm)]);
  }
  return table(["Process", `${zero.state}: RSS / PSS MiB`, `${warm.state}: RSS / PSS MiB`], rows, 1);
}

/** The markdown lines of the emulator section (none when it did not run). */
export function activatorSections(report) {
  const a = report.activator;
  if (a === undefined || (a.cold.length === 0 && a.load.length === 0 && a.memory === undefined)) return [];
  const { settings: s, environment: env } = report;
  const n = a.notes ?? {};
  const lines = [
    "",
    "### The emulator: cold start through the activator, its throughput, the platform's idle memory",
    "",
    `_Measured ${report.date} at commit ${env.commit}${env.dirty ? " plus uncommitted changes" : ""} with \`${a.command}\`._ The emulator (\`startDevPlatform\` from TypeScript sources, as \`npm run dev\` runs it) runs in one \`node\` process on core ${s.serverCore}, its instances inherit the core; the harness and the load generators are on core ${s.loadCore}. Postgres (database ${n.database ?? "?"}, dropped afterwards), Redis and Kafka (${n.kafka ?? "?"}) were found running, not started by it.`,
  ];
  if (a.cold.length > 0) {
    lines.push(
      "",
      `**Cold start**: the function at zero (idle window ${n.coldIdleSeconds} s; each run waits until the activator lists no instance and its process is gone), then one Connect JSON request over a new HTTP/1.1 connection to the entry port (Host \`<function>.localhost\`), timed from sending it to the first byte of the answer. *Direct*: \`node --conditions=kinetic-source --import tsx shared/src/bin/serve.ts <module>\` spawned by hand with PORT=0 and the instance's environment, timed from the spawn to the first byte of the same request, sent as soon as it logs \`serving\`. One discarded cold start through the activator first (page cache, migrations), then ${s.activatorColdRuns} of each, alternating; p99 of fewer than 100 runs is the slowest.`,
      "",
      coldTable(a.cold),
    );
  }
  if (a.load.length > 0) {
    lines.push(
      "",
      `**Throughput**: \`bench-echo\` (the echo fixture with maxScale 1) kept warm on exactly one instance; ${s.connections} connections, ${s.warmupSeconds} s warm-up and ${s.durationSeconds} s measured per case, ${n.loadRounds > 1 ? `in ${n.loadRounds} rounds that each load every port in turn, each round starting at the next port, the median round kept,` : "one round,"} to the instance's own port (direct), to the function's own port on the activator (what the local registry resolves it to) and to the entry port (routed by RPC path). \`CPU ms/request\`: the emulator's (proxying, and reading each request's log line from the instance, in every row) and the instance's, both on core ${s.serverCore}, split by their CPU over the whole case. Instances: ${n.loadInstances ?? "?"}.`,
      "",
      loadTable(a.load),
    );
  }
  if (a.memory !== undefined) {
    lines.push("", `**Idle memory**: \`startDevPlatform\` with every function (${(a.memory.functions ?? []).join(", ")}) and the Triggers of \`knative/base/eventing\`, nothing called, ${n.settleSeconds} s after ready; then one request to each function's health check, ${n.settleSeconds} s after the last is ready. \`VmRSS\` and \`Pss\` (shared pages divided among the processes sharing them) from \`/proc\`.`, "");
    lines.push(ok(a.memory) ? memoryTable(a.memory) : unavailable(a.memory.reason));
  }
  return lines;
}
