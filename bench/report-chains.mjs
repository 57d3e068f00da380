// The fixed-rate sections of the report: hop latency through relays, and auth → identity.
import { integer, ms, noise, table, unavailable } from "./markdown.mjs";

const daprAnchor =
  "1.40 ms at p90 and 2.10 ms at p99 to one call at 1,000 req/s ([Dapr v1.0 service invocation](https://docs.dapr.io/operations/performance-and-scalability/perf-service-invocation/): 0.5 vCPU per sidecar, mTLS, 10% trace sampling, 1 KB payload, across nodes)";

/**
 * Sets each chain row's latency added per hop over its base route at the same rate:
 * (p(n) − p(base)) / n for p50, p90 and p99; null when either saturated or did not run.
 */
export function addHopCosts(rows) {
  const measured = (r) => r?.status === "ok" && !r.saturated;
  for (const r of rows) {
    const base = rows.find((b) => b.route === r.base && b.rate === r.rate);
    const ok = r.hops > 0 && r.route !== r.base && measured(r) && measured(base);
    for (const p of ["p50", "p90", "p99"]) r[`added${p.toUpperCase()}Ms`] = ok ? (r[`${p}Ms`] - base[`${p}Ms`]) / r.hops : null;
  }
}

const signed = (v) => (v === null ? "n/a" : `${v < 0 ? "−" : "+"}${ms(Math.abs(v))}`);

/** The fixed-rate table: one row per chain (route) and rate. */
export function fixedRateTable(rows) {
  return table(
    ["Chain", "Tracing", "Rate", "answered/s", "p50 ms", "p90 ms", "p99 ms", "added per hop p50 / p90 / p99 ms", "CPU ms/request", "steal %", "other cores"],
    rows.map((r) => {
      const head = [r.label, r.tracing ? "on" : "off", integer.format(r.rate)];
      if (r.status !== "ok") return [...head, unavailable(r.reason), "", "", "", "", "", "", ""];
      if (r.saturated) return [...head, "saturated", "—", "—", "—", "", "—", ...noise(r)];
      const errors = r.errors > 0 ? ` (${integer.format(r.errors)} errors)` : "";
      const added = r.hops > 0 ? [r.addedP50Ms, r.addedP90Ms, r.addedP99Ms].map(signed).join(" / ") : "";
      return [...head, integer.format(r.answeredPerSecond) + errors, ms(r.p50Ms), ms(r.p90Ms), ms(r.p99Ms), added, r.cpuMsPerRequest.toFixed(2), ...noise(r)];
    }),
    2,
  );
}

/** How late the generator sent requests (the latencies include it), over the unsaturated rows. */
function generatorLag(rows) {
  const kept = rows.filter((r) => r.status === "ok" && !r.saturated);
  if (kept.length === 0) return "";
  const median = Math.max(...kept.map((r) => r.lagP50Ms));
  const worst = Math.max(...kept.map((r) => r.lagMaxMs));
  return `The generator sent requests a median of at most ${ms(median)} ms after their scheduled time (timer granularity), ${ms(worst)} ms at worst; the latencies include it.`;
}

/** The markdown lines of the chain sections (none when no chain ran). */
export function chainSections(report) {
  const { settings: s } = report;
  const lines = [];
  const echoChains = report.chains.filter((r) => r.kind === "hops");
  const authChain = report.chains.filter((r) => r.kind === "auth");
  if (echoChains.length > 0) {
    lines.push(
      "",
      "### Hop latency at a fixed rate (unary echo through relays)",
      "",
      `Open loop: requests leave at exactly the rate, latency counts from each request's scheduled send time. Connect binary over one HTTP/2 connection from \`bench/fixed-rate.mjs\` on core ${s.loadCore}; every function its own process on core ${s.serverCore}. Each chain is primed for ${s.primeSeconds} s, then every rate (lowest first) gets ${s.chainWarmupSeconds} s of warm-up and ${s.durationSeconds} s measured. A chain that falls 1 s behind is stopped and marked saturated. \`CPU ms/request\`: the chain's processes, warm-up included.`,
      "",
      fixedRateTable(echoChains),
      "",
      generatorLag(echoChains),
      `Anchor: Dapr's two sidecars add ${daprAnchor}.`,
    );
    if (report.chainNotes.tracing) lines.push(`Tracing on: OTLP http/protobuf to a local sink; ${report.chainNotes.tracing}.`);
  }
  if (authChain.length > 0) {
    const notes = report.chainNotes;
    lines.push(
      "",
      "### The real chain: client → auth → identity",
      "",
      `Login calls identity's VerifyPassword (scrypt N=2^10, p=1) and writes a refresh token and its LoginSucceeded event to Postgres; the auth hop is Login minus VerifyPassword called directly. \`CPU ms/request\` includes Postgres and Redis. Kafka: ${notes.kafka ?? "not started"}.`,
      "",
      fixedRateTable(authChain),
      "",
      generatorLag(authChain),
    );
  }
  return lines;
}
