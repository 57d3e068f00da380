// The emulator under test in a `node` process of its own on the server core (its function
// instances inherit the core), driven through the control port of bench/servers/dev-platform.mjs.
import { setTimeout as sleep } from "node:timers/promises";
import { expectOk, jsonCall } from "./auth-chain.mjs";
import { startServer } from "./server-process.mjs";

/** The emulator drains every instance before it exits (its own bound is 30 s). */
const stopGraceMs = 40_000;

/** POSTs `{}` to the control port's `path`; resolves the JSON answer. */
async function control(port, path) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", body: "{}" });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}: ${answer.message}`);
  return answer;
}

/** True while process `pid` exists. */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the emulator with `functions` (modules; default all), `idleSeconds` and, when
 * `triggerSuffix` is given, the Triggers of knative/base/eventing under names of this run;
 * `env` (DATABASE_URL, KAFKA_BROKERS, KINETIC_EVENTS_TOPIC…) over the harness's. Resolves
 * `{ pid, url, functions, groups, instanceEnv, status(), fn(name), lines(), stop() }`: `url`
 * the entry port, `functions` each function's own port by name, `groups` the Triggers'
 * consumer groups, `instanceEnv` what every instance gets over `env`, `fn(name)` that
 * function's current status.
 */
export async function startDevPlatformProcess({ root, env, functions, idleSeconds, triggerSuffix }) {
  const config = { ...(functions ? { functions } : {}), idleSeconds, ...(triggerSuffix ? { triggerSuffix } : {}) };
  const server = await startServer({
    args: ["--conditions=kinetic-source", "--import", "tsx", "bench/servers/dev-platform.mjs"],
    env: { ...env, BENCH_PLATFORM: JSON.stringify(config) },
    protocol: jsonCall({}, expectOk),
    path: "/ready",
    cwd: root,
    timeoutMs: 120_000,
  });
  try {
    const info = await control(server.port, "/info");
    const status = () => control(server.port, "/status");
    return {
      pid: server.pid,
      ...info,
      status,
      fn: async (name) => (await status()).functions.find((f) => f.name === name),
      lines: () => control(server.port, "/lines"),
      stop: () => server.stop(stopGraceMs),
    };
  } catch (error) {
    await server.stop(stopGraceMs);
    throw error;
  }
}

/**
 * Waits until function `name` of `platform` has no instance and every process it had is gone
 * (scaled to zero after its idle window). Rejects after `timeoutMs`.
 */
export async function waitForZero(platform, name, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  const seen = new Set();
  for (;;) {
    const fn = await platform.fn(name);
    for (const instance of fn.instances) seen.add(instance.pid);
    if (fn.instances.length === 0 && [...seen].every((pid) => !isAlive(pid))) return;
    if (performance.now() > deadline) throw new Error(`${name} still has ${fn.instances.length} instances ${timeoutMs} ms later`);
    await sleep(50);
  }
}

/** Waits until each of `names` has exactly one ready instance; resolves their statuses. Rejects after `timeoutMs`. */
export async function waitForOneEach(platform, names, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { functions } = await platform.status();
    const wanted = functions.filter((f) => names.includes(f.name));
    if (wanted.every((f) => f.ready === 1 && f.instances.length === 1)) return wanted;
    if (performance.now() > deadline) throw new Error(`not one ready instance each: ${wanted.map((f) => `${f.name} ${f.ready}/${f.instances.length}`).join(", ")}`);
    await sleep(100);
  }
}
