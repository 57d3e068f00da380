// The emulator measurement (`--only=activator`): cold starts through the activator against the
// function spawned by hand, throughput through the activator's ports against the instance's
// own, and the whole platform's memory with every function at zero and warm. Each part starts
// the emulator in its own process on the server core, on a scratch database and a topic of
// this run, both deleted afterwards. Import after the build: the requests come from the
// compiled contracts.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { activatorParts, coldRow, echoModule, echoPath, loadRow, loadTargets } from "./activator-cases.mjs";
import { measureActivatorColdStarts } from "./activator-cold-start.mjs";
import { healthProbe } from "./auth-chain.mjs";
import { startDevPlatformProcess, waitForOneEach } from "./dev-platform-process.mjs";
import { timeToFirstByte } from "./first-byte.mjs";
import { deleteTopicsAndGroups, findKafka } from "./kafka.mjs";
import { cpuSnapshot } from "./machine-load.mjs";
import { platformMemory } from "./platform-memory.mjs";
import { protocols } from "./protocols.mjs";
import { medianRound, spread, summarizeColdStarts } from "./report-activator.mjs";
import { createScratchDatabase } from "./scratch-database.mjs";
import { measureThroughput } from "./throughput.mjs";

/** The cold starts' idle window: short, so each run finds the function at zero soon. */
const coldIdleSeconds = 0.5;
/** Long enough that nothing scales to zero while it is loaded or its memory is read. */
const warmIdleSeconds = 3600;
/** Rounds of the throughput cases, each loading every port in turn (one with --quick). */
const loadRounds = 3;
/** How long the platform idles before its memory is read. */
const settleSeconds = 5;

const json = protocols["http1-json"];
/** The request that wakes each function, and how its answer is checked. */
const requests = {
  echo: { headers: json.headers, body: json.body, check: json.check },
  identity: {
    headers: json.headers,
    body: Buffer.from("{}"),
    check({ status, body }) {
      // A fresh database has no user: `{}`, proto3 JSON leaves out the empty list.
      if (status !== 200 || typeof JSON.parse(body.toString("utf8")) !== "object") throw new Error(`HTTP ${status}: ${body.toString("utf8", 0, 200)}`);
    },
  },
};

/** The emulator's last console lines, for a failure's log. */
async function lastLines(platform) {
  const lines = await platform.lines().catch(() => []);
  return lines.length === 0 ? "" : `\n  the emulator's last lines:\n    ${lines.slice(-10).join("\n    ")}`;
}

/** Cold starts of each target, through the activator and directly; resolves two rows per target. */
async function coldRows(targets, { env, root, settings, log, quiet }) {
  const rows = [];
  let platform;
  try {
    await quiet();
    platform = await startDevPlatformProcess({ root, env, functions: targets.map((t) => t.module), idleSeconds: coldIdleSeconds });
    for (const target of targets) {
      log(`activator: ${target.label}: ${settings.activatorColdRuns} cold starts through the activator and spawned directly`);
      try {
        const runs = await measureActivatorColdStarts({ platform, target: { ...target, ...requests[target.id] }, root, env: { ...env, ...platform.instanceEnv }, runs: settings.activatorColdRuns, settings, log });
        const activator = summarizeColdStarts(runs.activator);
        const direct = summarizeColdStarts(runs.direct);
        const firstByte = spread(runs.activator.map((r) => r.activatorFirstByteMs).filter((v) => v !== undefined));
        log(`  through the activator: median ${activator.firstByteMs.median.toFixed(0)} ms, p99 ${activator.firstByteMs.p99.toFixed(0)} ms; directly: median ${direct.firstByteMs.median.toFixed(0)} ms`);
        rows.push(coldRow(target, "activator", { status: "ok", ...activator, activatorFirstByteMs: firstByte }), coldRow(target, "direct", { status: "ok", ...direct }));
      } catch (error) {
        log(`  not available: ${error.message}${await lastLines(platform)}`);
        const reason = error.message.split("\n")[0];
        rows.push(coldRow(target, "activator", { status: "unavailable", reason }), coldRow(target, "direct", { status: "unavailable", reason }));
      }
    }
  } catch (error) {
    log(`activator: cold starts not available: ${error.message}`);
    const measured = new Set(rows.map((r) => r.target));
    for (const target of targets.filter((t) => !measured.has(t.id))) {
      rows.push(...["activator", "direct"].map((path) => coldRow(target, path, { status: "unavailable", reason: error.message.split("\n")[0] })));
    }
  } finally {
    await platform?.stop();
  }
  return rows;
}

/**
 * One throughput case of bench-echo's instance through `port`: the harness's measurement (check,
 * warm-up, one measured run), with the CPU per request and the emulator's share of it
 * (proxying, and reading the instance's log lines) over the whole case.
 */
async function loadOnce({ platform, instance, protocol, port, bodyFile, workDir, settings, log }) {
  const split = () => Promise.all([cpuSnapshot([platform.pid]), cpuSnapshot([instance.pid])]);
  const before = await split();
  const r = await measureThroughput({ protocol, pid: [platform.pid, instance.pid], port, path: echoPath, bodyFile, workDir, settings, log });
  const after = await split();
  const [emulator, own] = [0, 1].map((i) => after[i].server - before[i].server);
  const emulatorCpuShare = emulator + own > 0 ? emulator / (emulator + own) : 0;
  const cpuMsPerRequest = (r.serverCores * 1000) / r.requestsPerSecond;
  log(`  ${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${cpuMsPerRequest.toFixed(3)} ms CPU per request (${Math.round(emulatorCpuShare * 100)}% the emulator's); steal ${r.stealPercent.toFixed(0)}%`);
  return { ...r, cpuMsPerRequest, emulatorCpuShare };
}

/**
 * Throughput of bench-echo's one warm instance, directly and through the activator's two
 * ports, in `rounds` rounds that load each port in turn, each round starting at the next port
 * (so a change in the machine's load, or going first, falls on all of them), keeping each
 * port's median round. Resolves the rows and the
 * instances seen.
 */
async function loadRows(selected, { env, root, settings, log, quiet, rounds }) {
  const rows = [];
  const row = (p, target, fields) => loadRow(p, target, protocols[p.protocol].tool, fields);
  const workDir = await mkdtemp(join(tmpdir(), "kinetic-bench-activator-"));
  let platform;
  let instances = "?";
  try {
    await quiet();
    platform = await startDevPlatformProcess({ root, env, functions: [echoModule], idleSeconds: warmIdleSeconds });
    const entryPort = Number(new URL(platform.url).port);
    json.check(await timeToFirstByte({ port: entryPort, path: echoPath, headers: { ...json.headers, host: "bench-echo.localhost" }, body: json.body }));
    const [warm] = await waitForOneEach(platform, ["bench-echo"]);
    const instance = warm.instances[0];
    const ports = { direct: Number(new URL(instance.url).port), "function-port": Number(new URL(platform.functions["bench-echo"]).port), entry: entryPort };
    for (const p of selected) {
      const protocol = protocols[p.protocol];
      const bodyFile = join(workDir, `${p.id}.body`);
      await writeFile(bodyFile, protocol.body);
      const kept = new Map(loadTargets.map((t) => [t.id, []]));
      const failures = new Map();
      for (let round = 1; round <= rounds; round++) {
        // Each round starts at another port, so no port always comes first (or right after warm-up of another).
        const order = loadTargets.map((_, i) => loadTargets[(i + round - 1) % loadTargets.length]);
        for (const target of order.filter((t) => !failures.has(t.id))) {
          log(`activator: ${p.label} to ${target.label}, round ${round} of ${rounds}: ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s`);
          try {
            kept.get(target.id).push(await loadOnce({ platform, instance, protocol, port: ports[target.id], bodyFile, workDir, settings, log }));
          } catch (error) {
            log(`  not available: ${error.message}${await lastLines(platform)}`);
            failures.set(target.id, error.message.split("\n")[0]);
          }
        }
      }
      for (const target of loadTargets) {
        const runs = kept.get(target.id);
        rows.push(failures.has(target.id) || runs.length === 0 ? row(p, target, { status: "unavailable", reason: failures.get(target.id) }) : row(p, target, { status: "ok", ...medianRound(runs) }));
      }
    }
    const after = await platform.fn("bench-echo");
    const same = after.instances.length === 1 && after.instances[0].pid === instance.pid;
    instances = same ? `one throughout (pid ${instance.pid})` : `changed during the runs: ${after.instances.map((i) => i.pid).join(", ") || "none"} after, ${instance.pid} before`;
  } catch (error) {
    log(`activator: throughput not available: ${error.message}`);
    const measured = new Set(rows.map((r) => r.id));
    for (const p of selected) for (const t of loadTargets) if (!measured.has(`activator:load:${p.id}:${t.id}`)) rows.push(row(p, t, { status: "unavailable", reason: error.message.split("\n")[0] }));
  } finally {
    await platform?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
  return { rows, instances };
}

/** The whole platform's memory, every function at zero and then each warm on one instance. */
async function memoryOf({ env, root, database, log, quiet, brokers }) {
  const suffix = randomBytes(3).toString("hex");
  let platform;
  try {
    await quiet();
    platform = await startDevPlatformProcess({ root, env, idleSeconds: warmIdleSeconds, triggerSuffix: suffix });
    const names = Object.keys(platform.functions);
    log(`activator: idle memory of the platform (${names.join(", ")}) at zero`);
    await sleep(settleSeconds * 1000);
    const zero = await platformMemory(platform, { database });
    log(`activator: one request to each function's health check`);
    await Promise.all(
      names.map(async (name) => {
        const port = Number(new URL(platform.functions[name]).port);
        healthProbe.protocol.check(await timeToFirstByte({ port, path: healthProbe.path, headers: healthProbe.protocol.headers, body: healthProbe.protocol.body }));
      }),
    );
    await waitForOneEach(platform, names);
    await sleep(settleSeconds * 1000);
    const warm = await platformMemory(platform, { database });
    log(`  ${zero.total.rssMiB.toFixed(0)} MiB RSS at zero, ${warm.total.rssMiB.toFixed(0)} MiB warm`);
    return { id: "activator:memory", status: "ok", functions: names, states: [{ state: "at zero", ...zero }, { state: "warm", ...warm }] };
  } catch (error) {
    log(`activator: idle memory not available: ${error.message}`);
    return { id: "activator:memory", status: "unavailable", reason: error.message.split("\n")[0] };
  } finally {
    await platform?.stop();
    if (platform) await deleteTopicsAndGroups(brokers, { groups: platform.groups }).catch((error) => log(`activator: could not delete its consumer groups: ${error.message}`));
  }
}

/**
 * Measures the parts of the emulator benchmark that `settings.only` selects (all when empty).
 * Resolves `{ cold, load, memory, notes, command }` (empty when none is selected).
 */
export async function measureActivator({ settings, root, buildFailures, log, quiet }) {
  const { cold, load, memory } = activatorParts(settings.only);
  const result = { cold: [], load: [], memory: undefined, notes: { coldIdleSeconds, settleSeconds }, command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim() };
  if (cold.length === 0 && load.length === 0 && !memory) return result;
  const failure = buildFailures.shared ?? buildFailures.proto;
  const unavailable = (reason) => ({
    ...result,
    cold: cold.flatMap((t) => ["activator", "direct"].map((path) => coldRow(t, path, { status: "unavailable", reason }))),
    load: load.flatMap((p) => loadTargets.map((t) => loadRow(p, t, protocols[p.protocol].tool, { status: "unavailable", reason }))),
    memory: memory ? { id: "activator:memory", status: "unavailable", reason } : undefined,
  });
  if (failure) return unavailable(failure);
  let kafka;
  let database;
  const topic = `kinetic-bench-dev-${randomBytes(4).toString("hex")}`;
  try {
    kafka = await findKafka({ root, env: process.env });
    database = await createScratchDatabase();
  } catch (error) {
    log(`activator: not available: ${error.message}`);
    await kafka?.stop();
    return unavailable(error.message.split("\n")[0]);
  }
  try {
    // What `npm run dev` would find by itself, made explicit and of this run: DATABASE_URL and
    // the broker's topic; Redis on 127.0.0.1:6379 is found as the emulator finds it.
    const env = { DATABASE_URL: database.url, KAFKA_BROKERS: kafka.brokers, KINETIC_EVENTS_TOPIC: topic };
    const context = { env, root, settings, log, quiet, database: database.name, brokers: kafka.brokers };
    Object.assign(result.notes, { database: database.name, kafka: kafka.note, topic });
    if (cold.length > 0) result.cold = await coldRows(cold, context);
    if (load.length > 0) {
      const rounds = settings.quick ? 1 : loadRounds;
      const { rows, instances } = await loadRows(load, { ...context, rounds });
      result.load = rows;
      Object.assign(result.notes, { loadInstances: instances, loadRounds: rounds });
    }
    if (memory) result.memory = await memoryOf(context);
    return result;
  } finally {
    await database.drop().catch((error) => log(`activator: could not drop ${database.name}: ${error.message}`));
    await deleteTopicsAndGroups(kafka.brokers, { topics: [topic] }).catch(() => undefined);
    await kafka.stop();
  }
}
