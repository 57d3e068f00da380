// The events section of the report: raw kafkajs against the runtime's events path, a burst and
// a fixed rate each, with where the runtime's time and CPU go.
import { integer, ms, noise, ratio, table, unavailable } from "./markdown.mjs";

const baselinePath = "kafkajs";
const ok = (r) => r?.status === "ok";

/**
 * Sets each events row's ratio to the kafkajs row of the same shape: handled/s for the burst,
 * p50 and p99 for the fixed rate (null without a baseline).
 */
export function addEventRatios(rows) {
  for (const r of rows.filter(ok)) {
    const base = rows.find((b) => ok(b) && b.path === baselinePath && b.shape === r.shape);
    if (r.shape === "burst") r.ratio = base ? r.eventsPerSecond / base.eventsPerSecond : null;
    else {
      r.p50Ratio = base ? r.p50Ms / base.p50Ms : null;
      r.p99Ratio = base ? r.p99Ms / base.p99Ms : null;
    }
  }
}

/** CPU ms per event of the path's own processes, Postgres and Kafka: "0.41 / — / 0.52". */
function cpuColumn({ cpuMsPerEvent: { postgres, kafka, ...own } }) {
  const path = Object.values(own).reduce((a, b) => a + b, 0);
  return [path, postgres, kafka].map((v) => (v === undefined ? "—" : v.toFixed(2))).join(" / ");
}

/** "5,000 (22 lost, 3 duplicates)": what was published and what went wrong with it. */
function eventsColumn(r) {
  const problems = [
    r.errors > 0 ? `${integer.format(r.errors)} not published` : "",
    r.lost > 0 ? `${integer.format(r.lost)} lost` : "",
    r.duplicates > 0 ? `${integer.format(r.duplicates)} duplicates` : "",
  ].filter(Boolean);
  return integer.format(r.published) + (problems.length > 0 ? ` (${problems.join(", ")})` : "");
}

/** Handled/s, marked when a fixed rate was not kept up with (under 90% of it). */
function handledColumn(r) {
  const saturated = r.shape === "rate" && r.eventsPerSecond < 0.9 * r.rate;
  return integer.format(r.eventsPerSecond) + (saturated ? " (saturated)" : "");
}

/** The events table: one row per path and load shape. */
export function eventsTable(rows) {
  return table(
    ["Path", "Load", "events", "published/s", "handled/s", "p50 ms", "p90 ms", "p99 ms", "vs kafkajs", "CPU ms/event: path / Postgres / Kafka", "steal %", "other cores"],
    rows.map((r) => {
      if (!ok(r)) return [r.label, r.shape === "burst" ? "burst" : "fixed rate", unavailable(r.reason), "", "", "", "", "", "", "", "", ""];
      const load = r.shape === "burst" ? `burst of ${integer.format(r.events)}, ${r.concurrency} in flight` : `${integer.format(r.rate)}/s for ${r.durationSeconds} s`;
      const versus = r.shape === "burst" ? `${ratio(r.ratio)} handled/s` : `p50 ${ratio(r.p50Ratio)}, p99 ${ratio(r.p99Ratio)}`;
      const latency = [r.p50Ms, r.p90Ms, r.p99Ms].map(ms);
      return [r.label, load, eventsColumn(r), integer.format(r.publishedPerSecond), handledColumn(r), ...latency, versus, cpuColumn(r), ...noise(r)];
    }),
    2,
  );
}

/** Where the runtime's time goes at the fixed rate, with the raw path's whole latency for scale. */
export function stagesTable(runtime, raw) {
  const s = runtime.stages;
  const line = (label, p) => [label, ms(p.p50Ms), ms(p.p90Ms), ms(p.p99Ms)];
  const rows = [
    line("publish transaction: due → commit", s.transaction),
    line("outbox relay: commit → Kafka record's CreateTime (1 ms resolution)", s.relay),
    line("Kafka → dispatcher → HTTP → inbox → handler: CreateTime → handler entry", s.kafkaToHandler),
    line("… of which HTTP delivery + inbox alone: POST → handler entry (harness → subscriber, same rate)", s.direct),
    line("commit → handler entry", s.commitToHandler),
    line("due → handler entry (the table's figure)", runtime),
  ];
  if (ok(raw)) rows.push(line("raw kafkajs, due → eachMessage (the table's figure)", raw));
  return table([`Kinetic at ${integer.format(runtime.rate)} events/s, per event`, "p50 ms", "p90 ms", "p99 ms"], rows, 1);
}

/** "producer 0.21, consumer 0.10, Kafka 0.30" from a row's CPU ms per event. */
function cpuByProcess(r) {
  const name = (role) => (role === "kafka" ? "Kafka" : role === "postgres" ? "Postgres" : role);
  return Object.entries(r.cpuMsPerEvent)
    .map(([role, v]) => `${name(role)} ${v.toFixed(2)}`)
    .join(", ");
}

/** The markdown lines of the events section (none when it did not run). */
export function eventSections(report) {
  const rows = report.events ?? [];
  if (rows.length === 0) return [];
  const { settings: s } = report;
  const notes = report.eventNotes ?? {};
  const find = (path, shape) => rows.find((r) => r.path === path && r.shape === shape);
  const lines = [
    "",
    "### Events: publish → handled through Kafka",
    "",
    `Raw kafkajs (one \`producer.send\` per event → one consumer's \`eachMessage\`) against the runtime (\`events.publish\` in a Postgres transaction → outbox relay → Kafka → the emulator's dispatcher → CloudEvent over HTTP → inbox → handler). Every process of a path on core ${s.serverCore}, the harness on core ${s.loadCore}; Kafka: ${notes.kafka ?? "n/a"}, ${notes.partitions ?? "?"} partitions, fresh topics; Postgres and Kafka unpinned. UserCreated JSON (207 bytes) keyed by user id. Each path is primed with ${integer.format(s.eventRate * s.primeSeconds)} events; the burst publishes ${integer.format(s.eventBurst)} with 10 in flight (handled/s from the first publish to the last handler entry); the fixed rate is open loop, ${s.chainWarmupSeconds} s warm-up + ${s.durationSeconds} s measured, latency from each event's due time to its handler's entry. \`CPU ms/event\` includes the warm-up.`,
    "",
    eventsTable(rows),
  ];
  const fixed = rows.filter((r) => ok(r) && r.shape === "rate");
  if (fixed.length > 0) {
    const median = Math.max(...fixed.map((r) => r.lagP50Ms));
    const worst = Math.max(...fixed.map((r) => r.lagMaxMs));
    lines.push("", `At the fixed rate the publishers started events a median of at most ${ms(median)} ms after their due time, ${ms(worst)} ms at worst; the latencies include it.`);
  }
  const runtimeRate = find("runtime", "rate");
  if (ok(runtimeRate) && runtimeRate.stages) lines.push("", stagesTable(runtimeRate, find(baselinePath, "rate")));
  const name = (r) => (r.path === baselinePath ? "raw kafkajs" : "Kinetic");
  const bursts = rows.filter((r) => ok(r) && r.shape === "burst");
  if (bursts.length > 0) lines.push("", `CPU ms per event in the burst: ${bursts.map((r) => `${name(r)}: ${cpuByProcess(r)}`).join("; ")}.`);
  const lost = rows.filter((r) => ok(r) && r.lost > 0);
  if (lost.length > 0) {
    const where = lost.map((r) => `${name(r)}, ${r.shape === "burst" ? "burst" : "fixed rate"}: ${integer.format(r.lost)}`).join("; ");
    lines.push(`Lost: published (for Kinetic, committed) but not handled within 10 s of the last delivery: ${where}.`);
  }
  return lines;
}
