#!/usr/bin/env node
// `npm run bench`: loads every server pinned to one core from the other core, measures cold
// starts (tracing off and on), chains of functions at a fixed rate, events through Kafka
// (raw kafkajs against the runtime's outbox → dispatcher → function path) and the emulator
// (cold start through the activator, its throughput, the platform's idle memory), profiles the
// Kinetic runtime with its fast paths off and on (flame graphs), prints the tables and writes
// bench/results/<date>.json, and latest.json after a complete run.
// Flags and environment variables: `npm run bench -- --help`.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { activatorParts } from "./activator-cases.mjs";
import { buildDist } from "./build.mjs";
import { baselineId, servers } from "./cases.mjs";
import { measureColdStart } from "./cold-start.mjs";
import { describeEnvironment } from "./environment.mjs";
import { waitForQuiet } from "./machine-load.mjs";
import { benchOptionsFromArgs, isCompleteRun, usage } from "./options.mjs";
import { startOtlpSink, tracingEnv } from "./otlp-sink.mjs";
import { profileCases } from "./profile-cases.mjs";
import { addFastPathRatios, profileSections, publishFlameGraphs } from "./profile-report.mjs";
import { addHopCosts } from "./report-chains.mjs";
import { addEventRatios } from "./report-events.mjs";
import { addActivatorComparisons, activatorSections, medianRound } from "./report-activator.mjs";
import { addRatios, renderMarkdown, updateDoc, updateDocSection, writeResults } from "./report.mjs";
import { loadCore, serverCore, startServer } from "./server-process.mjs";
import { measureThroughput } from "./throughput.mjs";
import { describeMissing, installTools, missingTools } from "./tools.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const log = (message) => process.stderr.write(`[bench] ${message}\n`);

function exitWith(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let settings;
try {
  settings = benchOptionsFromArgs(process.argv.slice(2), process.env);
} catch (error) {
  exitWith(error.message);
}
if (settings.help) {
  console.log(usage);
  process.exit(0);
}
const wanted = (server, what) => settings.only.length === 0 || settings.only.some((s) => `${server.id}:${what}`.includes(s));
// The baseline runs whenever anything of its kind does: the ratios need it.
const anyThroughput = servers.some((server) => server.cases.some((c) => wanted(server, c.protocol)));
const anyColdStart = servers.some((server) => server.coldStart && wanted(server, "cold-start"));
const selected = (server, what) =>
  wanted(server, what) || (server.id === baselineId && (what === "cold-start" ? anyColdStart : anyThroughput));
const quiet = () => waitForQuiet({ maxWaitSeconds: settings.idleWaitSeconds, log });

// wrk and h2load load the throughput cases only (the servers' and the activator's).
const anyActivatorLoad = settings.activator && activatorParts(settings.only).load.length > 0;
const anyProfile = settings.profile && profileCases(settings.only).length > 0;
const missing = missingTools({ loadTools: anyThroughput || anyActivatorLoad || anyProfile });
if (missing.length > 0 && !(settings.install && installTools(missing))) exitWith(describeMissing(missing));

const buildFailures = {};
if (settings.build) {
  log("compiling proto/, shared/ and the functions to dist/");
  Object.assign(buildFailures, buildDist(root));
  if (buildFailures.proto) exitWith(buildFailures.proto);
}
// The harness and the load generators share the load core; servers get the other one.
execFileSync("taskset", ["-a", "-p", "-c", String(loadCore), String(process.pid)], { stdio: "ignore" });
const { protocols } = await import("./protocols.mjs");

/**
 * One round of one throughput case: `server` started fresh for `c` alone, warmed up, measured,
 * stopped. Resolves the run, or `{ status: "unavailable", reason }`.
 */
async function throughputRound(server, c, round, workDir, bodyFiles) {
  let running;
  try {
    if (server.needs && buildFailures[server.needs]) throw new Error(buildFailures[server.needs]);
    await quiet();
    running = await startServer({ args: server.args, env: server.env, protocol: protocols[c.protocol], path: c.path, cwd: root });
  } catch (error) {
    log(`${server.label}: not available: ${error.message}`);
    return { status: "unavailable", reason: error.message };
  }
  log(`${server.label}, ${c.label}, round ${round} of ${settings.rounds}: ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s`);
  try {
    const r = await measureThroughput({ protocol: protocols[c.protocol], pid: running.pid, port: running.port, path: c.path, bodyFile: bodyFiles[c.protocol], workDir, settings, log });
    log(`  ${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms; steal ${r.stealPercent.toFixed(0)}%, other ${r.otherCores.toFixed(2)} cores`);
    return { status: "ok", ...r };
  } catch (error) {
    log(`  not available: ${error.message}`);
    return { status: "unavailable", reason: error.message.split("\n")[0] };
  } finally {
    await running.stop();
  }
}

/**
 * Every selected throughput case in `settings.rounds` interleaved rounds: each round measures
 * each case once, in the order of `servers`, on a process of its own, so that a machine whose
 * speed drifts (a VM's neighbours) weighs on the baseline and the others alike, and no case
 * inherits another's warm state. Resolves one row per case: its median round, and every
 * round's rate in `roundsPerSecond` (`medianRound`; `addRatios` pairs them with the baseline's, round by round).
 * A case that failed in a round is not measured again.
 */
async function measureAllThroughput(workDir, bodyFiles) {
  const cases = servers.flatMap((server) => server.cases.filter((c) => selected(server, c.protocol)).map((c) => ({ server, c, runs: [], failure: undefined })));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const one of cases) {
      if (one.failure) continue;
      const run = await throughputRound(one.server, one.c, round, workDir, bodyFiles);
      if (run.status === "ok") one.runs.push(run);
      else one.failure = run;
    }
  }
  return cases.map(({ server, c, runs, failure }) => {
    const row = { id: `${server.id}:${c.protocol}`, server: server.label, protocol: c.label, tool: protocols[c.protocol].tool };
    if (failure) return { ...row, ...failure };
    return { ...row, ...medianRound(runs) };
  });
}

/** Measures the cold start of `server` (its production launcher when it has one); `sink` takes its spans. */
async function coldStartOf(server, sink) {
  const probe = server.coldStart.probe ?? server.cases[0];
  const row = { id: `${server.id}:cold-start`, server: server.coldStart.label ?? server.label, protocol: probe.label, runs: settings.coldStartRuns };
  try {
    const needs = server.coldStart.needs ?? server.needs;
    if (needs && buildFailures[needs]) throw new Error(buildFailures[needs]);
    await quiet();
    log(`${row.server}: ${settings.coldStartRuns} cold starts`);
    const args = server.coldStart.args ?? server.args;
    const env = { ...server.env, ...(server.coldStart.tracing ? tracingEnv(sink.url) : {}) };
    const r = await measureColdStart({ args, env, protocol: protocols[probe.protocol], path: probe.path, cwd: root, runs: settings.coldStartRuns, settings, log });
    log(`  median ${r.startMs.median.toFixed(1)} ms, idle RSS ${r.idleRssMiB.median.toFixed(1)} MiB; steal ${r.stealPercent.toFixed(0)}%`);
    return { ...row, status: "ok", ...r };
  } catch (error) {
    log(`  not available: ${error.message}`);
    return { ...row, status: "unavailable", reason: error.message };
  }
}

const workDir = await mkdtemp(join(tmpdir(), "kinetic-bench-"));
const bodyFiles = {};
for (const [id, protocol] of Object.entries(protocols)) {
  bodyFiles[id] = join(workDir, `${id}.body`);
  await writeFile(bodyFiles[id], protocol.body);
}
const throughput = await measureAllThroughput(workDir, bodyFiles);
const coldStart = [];
const coldServers = servers.filter((server) => settings.coldStart && server.coldStart && selected(server, "cold-start"));
const sink = coldServers.some((server) => server.coldStart.tracing) ? await startOtlpSink() : undefined;
for (const server of coldServers) coldStart.push(await coldStartOf(server, sink));
await sink?.close();
await rm(workDir, { recursive: true, force: true });

let chains = { rows: [], notes: {} };
if (settings.chains) {
  const { measureChains } = await import("./run-chains.mjs");
  chains = await measureChains({ settings, root, buildFailures, log, quiet });
}

let events = { rows: [], notes: {} };
if (settings.events) {
  const { measureEvents } = await import("./run-events.mjs");
  events = await measureEvents({ settings, root, buildFailures, log, quiet });
}

let activator = { cold: [], load: [], memory: undefined, notes: {} };
if (settings.activator) {
  const { measureActivator } = await import("./run-activator.mjs");
  activator = await measureActivator({ settings, root, buildFailures, log, quiet });
}

let profile = { rows: [], notes: {} };
if (settings.profile) {
  const { measureProfiles } = await import("./profile-run.mjs");
  profile = await measureProfiles({ settings, root, buildFailures, log, quiet });
}

const { durationSeconds, warmupSeconds, rounds, connections, coldStartRuns, rates, authRates, chainWarmupSeconds, primeSeconds, eventBurst, eventRate, activatorColdRuns } = settings;
const report = {
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  environment: describeEnvironment(root),
  settings: { durationSeconds, warmupSeconds, rounds, connections, coldStartRuns, rates, authRates, chainWarmupSeconds, primeSeconds, eventBurst, eventRate, activatorColdRuns, serverCore, loadCore },
  throughput,
  coldStart,
  chains: chains.rows,
  chainNotes: chains.notes,
  events: events.rows,
  eventNotes: events.notes,
  activator,
  profile,
};
const hasBaseline = addRatios(report, baselineId);
addHopCosts(report.chains);
addEventRatios(report.events);
addActivatorComparisons(report.activator);
addFastPathRatios(report.profile.rows);
const markdown = renderMarkdown(report);
const profileLines = profileSections(report);
console.log(`\n${[markdown, ...profileLines].join("\n")}\n`);
// latest.json and the whole results section of BENCHMARKS.md are a complete run's: a partial
// one (--only, --no-…, --quick) writes its dated file, and only the sections that have markers
// of their own in the document.
const complete = isCompleteRun(settings);
const written = await writeResults(report, join(root, "bench/results"), { latest: complete });
log(`wrote ${written}${complete ? " and bench/results/latest.json" : " (a partial run: bench/results/latest.json left as it was)"}`);
if (settings.updateDoc && complete) {
  await updateDoc(join(root, "BENCHMARKS.md"), markdown);
  await updateDocSection(join(root, "BENCHMARKS.md"), "profile", profileLines.join("\n"));
  log("updated BENCHMARKS.md");
} else if (settings.updateDoc) {
  const sections = { activator: activatorSections(report), profile: profileLines };
  const updated = Object.entries(sections).filter(([, lines]) => lines.length > 0);
  for (const [name, lines] of updated) await updateDocSection(join(root, "BENCHMARKS.md"), name, lines.join("\n"));
  log(updated.length > 0 ? `updated the ${updated.map(([name]) => name).join(", ")} section of BENCHMARKS.md` : "a partial run updates only the sections of BENCHMARKS.md with markers of their own (activator, profile); none was measured");
}
if (settings.updateDoc && profile.rows.length > 0) log(`published the flame graphs: ${(await publishFlameGraphs(profile.rows, root)).join(", ")}`);
if (!hasBaseline) exitWith("the raw node:http baseline did not run, so there are no ratios");
