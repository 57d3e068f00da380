// The events measurement: each path (raw kafkajs, then Kinetic) is started once on fresh
// topics, primed, loaded with a burst (events/s) and at a fixed rate (publish → handled
// latency, open loop); the Kinetic path's latency at the fixed rate is then broken down by
// stage. Import after the build: the functions run from shared/dist.
import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { benchUser } from "./bench-user.mjs";
import { brokerPartitions, rawPath, runtimePath } from "./event-paths.mjs";
import { findKafka, recordTimesOf } from "./kafka.mjs";
import { cpuSnapshot, interference, noisyCores, waitForQuiet } from "./machine-load.mjs";
import { runPublishLoop } from "./publish-loop.mjs";
import { latencyPercentiles, summarizeDeliveries } from "./summarize-deliveries.mjs";

/** The paths, baseline first: every run measures both, the ratios need the baseline. */
export const eventPaths = [rawPath, runtimePath];
const shapes = ["burst", "rate"];
/** The ids of the rows the events measurement makes, for `--only`. */
export const eventRowIds = eventPaths.flatMap((p) => shapes.map((shape) => `${p.id}:${shape}`));
/** Publishes in flight during a burst: the runtime's default Postgres pool (DATABASE_POOL_MAX). */
export const burstConcurrency = 10;
/** A measurement during which other processes took CPU is repeated at most this often. */
const maxRetries = 2;
/** Handled events stop being awaited once none arrived for this long (the rest count as lost). */
const quietAfterMs = 10_000;
/** The same for priming, which only has to leave no backlog behind. */
const primeQuietAfterMs = 3_000;

/** POSTs `body` as JSON and resolves the JSON answer; no timeout: a slow path's burst answers only once it is all published. */
function postJson(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode === 200) resolve(JSON.parse(text));
        else reject(new Error(`${url}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
      });
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** Takes the subscriber's notes until every id in `ids` was handled or none arrived for `quietMs`. */
async function collectHandled(handledUrl, ids, quietMs = quietAfterMs) {
  const handled = [];
  const seen = new Set();
  let lastNews = performance.now();
  while (seen.size < ids.size && performance.now() - lastNews < quietMs) {
    for (const pair of await postJson(handledUrl, {})) {
      handled.push(pair);
      if (ids.has(pair[0]) && !seen.has(pair[0])) {
        seen.add(pair[0]);
        lastNews = performance.now();
      }
    }
    if (seen.size < ids.size) await sleep(200);
  }
  return handled;
}

/** Has `publishUrl` publish `count` events (a burst when `rate` is 0), then collects their deliveries. */
async function publishAndCollect({ publishUrl, handledUrl }, { count, rate }, quietMs = quietAfterMs) {
  const published = await postJson(publishUrl, { count, rate, concurrency: burstConcurrency });
  const ids = new Set(published.filter((r) => r.error === undefined).map((r) => r.id));
  return { published, handled: await collectHandled(handledUrl, ids, quietMs) };
}

/**
 * Runs `work`, measuring the CPU each of `roles` ({ name: pids }) used meanwhile, in ms, and
 * the interference of everything else (otherCores, stealPercent).
 */
async function withCpu(roles, work) {
  const names = Object.keys(roles);
  const snapshot = () => Promise.all([cpuSnapshot(Object.values(roles).flat()), ...names.map((n) => cpuSnapshot(roles[n]))]);
  const before = await snapshot();
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const after = await snapshot();
  const { otherCores, stealPercent } = interference(before[0], after[0]);
  const cpuMs = Object.fromEntries(names.map((n, i) => [n, interference(before[i + 1], after[i + 1]).serverCores * seconds * 1000]));
  return { result, otherCores, stealPercent, cpuMs };
}

/**
 * Publishes `load` ({ count, rate }) through a running path and summarises it (the first
 * `warmup` events left out), measuring again once the machine is quiet when other processes
 * took CPU. Resolves `{ fields, deliveries }`: the summary's figures with CPU ms per event by
 * role (warm-up included) and the interference, and the measured events that arrived.
 */
async function measureLoad(running, load, warmup, { settings, log }) {
  for (let retries = 0; ; retries++) {
    const { result, otherCores, stealPercent, cpuMs } = await withCpu(await running.roles(), () => publishAndCollect(running, load));
    if (otherCores > noisyCores && retries < maxRetries && settings.idleWaitSeconds > 0) {
      log(`  other processes took ${otherCores.toFixed(2)} cores; measuring again`);
      await waitForQuiet({ maxWaitSeconds: settings.idleWaitSeconds, log });
      continue;
    }
    const { deliveries, ...summary } = summarizeDeliveries({ ...result, warmup });
    const cpuMsPerEvent = Object.fromEntries(Object.entries(cpuMs).map(([role, ms]) => [role, ms / load.count]));
    return { fields: { ...summary, cpuMsPerEvent, otherCores, stealPercent }, deliveries };
  }
}

/**
 * HTTP delivery and the inbox alone: the harness POSTs `count` UserCreated CloudEvents in
 * binary mode, as the dispatcher does, straight to the subscriber at `rate` (open loop).
 * Resolves the POST → handler-entry and POST → answer percentiles of the measured events.
 */
async function deliverDirectly({ subscriberUrl, handledUrl }, { count, rate, warmup }) {
  const publish = async (index) => {
    const { createTime, ...user } = benchUser(index);
    const time = createTime.toISOString();
    const id = randomUUID();
    const headers = {
      "ce-specversion": "1.0",
      "ce-id": id,
      "ce-source": "/functions/bench-publisher",
      "ce-type": "kinetic.identity.user.created.v1",
      "ce-subject": user.id,
      "ce-time": time,
      "ce-partitionkey": user.id,
      "content-type": "application/json",
      prefer: "reply",
    };
    const response = await fetch(subscriberUrl, { method: "POST", headers, body: JSON.stringify({ user: { ...user, createTime: time, updateTime: time } }) });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`the subscriber answered HTTP ${response.status}`);
    return id;
  };
  const published = await runPublishLoop({ count, rate, publish });
  const ids = new Set(published.filter((r) => r.error === undefined).map((r) => r.id));
  const { deliveries, ...summary } = summarizeDeliveries({ published, handled: await collectHandled(handledUrl, ids), warmup });
  const { p50Ms, p90Ms, p99Ms, maxMs, handled, errors, firstError } = summary;
  return { p50Ms, p90Ms, p99Ms, maxMs, handled, errors, firstError, answered: latencyPercentiles(deliveries.map((d) => d.doneMs - d.dueMs)) };
}

/**
 * Where the Kinetic path's time goes at the fixed rate, per event: the publishing transaction
 * (due → commit), the outbox relay (commit → the Kafka record's CreateTime, which the relay's
 * producer stamps with Date.now(): 1 ms resolution), Kafka → dispatcher → handler (that
 * CreateTime → handler entry), and, measured separately at the same rate, HTTP delivery plus
 * the inbox (POST → handler entry).
 */
async function stagesOf(running, deliveries, { brokers, load, warmup }) {
  const recordTimes = await recordTimesOf(brokers, running.topic, new Set(deliveries.map((d) => d.id)));
  const relayed = deliveries.filter((d) => recordTimes.has(d.id)).map((d) => ({ ...d, relayedMs: d.doneMs + (recordTimes.get(d.id) - d.doneWallMs) }));
  return {
    transaction: latencyPercentiles(deliveries.map((d) => d.doneMs - d.dueMs)),
    relay: latencyPercentiles(relayed.map((d) => d.relayedMs - d.doneMs)),
    kafkaToHandler: latencyPercentiles(relayed.map((d) => d.handledMs - d.relayedMs)),
    commitToHandler: latencyPercentiles(deliveries.map((d) => d.handledMs - d.doneMs)),
    relayedRecords: relayed.length,
    direct: await deliverDirectly(running, { ...load, warmup }),
  };
}

const rounded = (v) => Math.round(v).toLocaleString("en-US");

/** Starts `path`, primes it, measures the burst and the fixed rate; resolves its two rows. */
async function measurePath(path, { settings, log, quiet, brokers, partitions, root }) {
  const row = (shape, fields) => ({ id: `${path.id}:${shape}`, path: path.id.slice("events:".length), label: path.label, shape, ...fields });
  const rate = settings.eventRate;
  const warmup = rate * settings.chainWarmupSeconds;
  const rateLoad = { count: warmup + rate * settings.durationSeconds, rate };
  const rows = [];
  let running;
  try {
    await quiet();
    running = await path.start({ brokers, partitions, cwd: root });
    const prime = rate * settings.primeSeconds;
    if (prime > 0) {
      // V8 optimises after enough calls; pools and Kafka connections open on first use.
      log(`${path.label}: priming, a burst of ${prime} events`);
      const primed = summarizeDeliveries(await publishAndCollect(running, { count: prime, rate: 0 }, primeQuietAfterMs));
      if (primed.handled === 0) throw new Error(`none of ${prime} priming events arrived${primed.firstError ? `: ${primed.firstError}` : ""}`);
    }

    log(`${path.label}: a burst of ${settings.eventBurst} events, ${burstConcurrency} publishes in flight`);
    const { fields: b } = await measureLoad(running, { count: settings.eventBurst, rate: 0 }, 0, { settings, log });
    log(`  ${rounded(b.eventsPerSecond)} handled/s (${rounded(b.publishedPerSecond)} published/s), ${b.lost} lost, ${b.duplicates} duplicates; steal ${b.stealPercent.toFixed(0)}%`);
    rows.push(row("burst", { status: "ok", events: settings.eventBurst, concurrency: burstConcurrency, ...b }));

    log(`${path.label}: ${rate} events/s, ${settings.chainWarmupSeconds} s warm-up + ${settings.durationSeconds} s`);
    const { fields: f, deliveries } = await measureLoad(running, rateLoad, warmup, { settings, log });
    log(`  p50 ${f.p50Ms.toFixed(2)} ms, p99 ${f.p99Ms.toFixed(2)} ms publish → handled, ${f.lost} lost; steal ${f.stealPercent.toFixed(0)}%`);
    const stages = path === runtimePath ? await stagesOf(running, deliveries, { brokers, load: rateLoad, warmup }) : undefined;
    rows.push(row("rate", { status: "ok", rate, warmupSeconds: settings.chainWarmupSeconds, durationSeconds: settings.durationSeconds, ...f, stages }));
  } catch (error) {
    log(`${path.label}: not available: ${error.message}`);
    const measured = new Set(rows.map((r) => r.shape));
    rows.push(...shapes.filter((s) => !measured.has(s)).map((s) => row(s, { status: "unavailable", reason: error.message.split("\n")[0] })));
  } finally {
    await running?.stop();
  }
  return rows;
}

/**
 * Measures both paths on the run's Kafka (found or started as the tests do), unless `--only`
 * selects none of their rows. Resolves `{ rows, notes }`: a burst row and a fixed-rate row
 * per path, and what the run used.
 */
export async function measureEvents({ settings, root, buildFailures, log, quiet }) {
  if (settings.only.length > 0 && !eventRowIds.some((id) => settings.only.some((s) => id.includes(s)))) return { rows: [], notes: {} };
  const unavailable = (reason) =>
    eventPaths.flatMap((p) => shapes.map((shape) => ({ id: `${p.id}:${shape}`, path: p.id.slice("events:".length), label: p.label, shape, status: "unavailable", reason })));
  const failure = buildFailures.shared ?? buildFailures.proto;
  if (failure) return { rows: unavailable(failure), notes: {} };
  let kafka;
  try {
    kafka = await findKafka({ root, env: process.env });
  } catch (error) {
    log(`events: not available: ${error.message}`);
    return { rows: unavailable(error.message), notes: {} };
  }
  try {
    const partitions = brokerPartitions(root);
    const rows = [];
    for (const path of eventPaths) rows.push(...(await measurePath(path, { settings, log, quiet, brokers: kafka.brokers, partitions, root })));
    return { rows, notes: { kafka: kafka.note, partitions } };
  } finally {
    await kafka.stop();
  }
}
