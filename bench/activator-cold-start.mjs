// Cold start through the emulator's activator against the same function spawned by hand: the
// request that finds the function at zero, timed from sending it to the first byte of its
// answer, and a `kinetic-serve` process started directly (as the activator starts each
// instance), timed from the spawn to the first byte of the same request sent as soon as it
// logs "serving". The difference is the activator's own share.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { timeToFirstByte } from "./first-byte.mjs";
import { cpuSnapshot, interference, noisyCores, waitForQuiet } from "./machine-load.mjs";
import { serverCore } from "./server-process.mjs";
import { waitForZero } from "./dev-platform-process.mjs";

/** Runs that other processes disturbed are done again at most this often per function. */
const maxRetries = 5;
const startTimeoutMs = 60_000;

/** Resolves the port of a `kinetic-serve` child from its "serving" log line; rejects when it exits first. */
function servingPort(child, stderrTail) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "serving" line within ${startTimeoutMs} ms`)), startTimeoutMs);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const port = line.includes('"msg":"serving"') ? /"port":(\d+)/.exec(line)?.[1] : undefined;
      if (port === undefined) return;
      clearTimeout(timer);
      resolve(Number(port));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${signal ?? `code ${code}`}) before serving: ${stderrTail.join(" | ")}`));
    });
  });
}

/** Stops a child with SIGTERM (SIGKILL after `graceMs`) and waits for its exit. */
async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** One cold start through the activator's entry port (by Host `<fn>.localhost`) of a function at zero. */
async function throughActivator({ platform, target }) {
  await waitForZero(platform, target.fn);
  const port = Number(new URL(platform.url).port);
  const before = await cpuSnapshot([platform.pid]);
  const answer = await timeToFirstByte({ port, path: target.path, headers: { ...target.headers, host: `${target.fn}.localhost` }, body: target.body });
  const status = await platform.fn(target.fn);
  const after = await cpuSnapshot([platform.pid, ...status.instances.map((i) => i.pid)]);
  target.check(answer);
  const { readyMs, firstByteMs } = status.lastColdStart ?? {};
  return { firstByteMs: answer.firstByteMs, readyMs, activatorFirstByteMs: firstByteMs, ...interference(before, after) };
}

/** One `kinetic-serve <module>` spawned by hand on the server core, as the activator spawns an instance. */
async function spawnedDirectly({ platform, target, root, env }) {
  const before = await cpuSnapshot([platform.pid]);
  const from = performance.now();
  const child = spawn("taskset", ["-c", String(serverCore), process.execPath, "--conditions=kinetic-source", "--import", "tsx", "shared/src/bin/serve.ts", target.module], {
    cwd: root,
    env: { ...env, K_SERVICE: target.fn, K_CONFIGURATION: target.fn, K_REVISION: `${target.fn}-00001`, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderrTail = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 5) stderrTail.shift();
  });
  try {
    const port = await servingPort(child, stderrTail);
    const answer = await timeToFirstByte({ port, path: target.path, headers: target.headers, body: target.body, from });
    const after = await cpuSnapshot([platform.pid, child.pid]);
    target.check(answer);
    return { firstByteMs: answer.firstByteMs, ...interference(before, after) };
  } finally {
    await stopChild(child);
  }
}

/**
 * Measures `target` ({ fn, module, path, headers, body, check }) `runs` times each way,
 * alternating, after one discarded cold start through the activator (page cache, the
 * function's migrations).
 * `platform` runs the function with a short idle window; `env` is what its instances get.
 * Resolves `{ activator, direct }`, each the kept runs; a run during which other processes took
 * CPU is done again once the machine is quiet, at most 5 times per function.
 */
export async function measureActivatorColdStarts({ platform, target, root, env, runs, settings, log }) {
  const kinds = { activator: () => throughActivator({ platform, target }), direct: () => spawnedDirectly({ platform, target, root, env }) };
  // Its page cache and migrations are then warm for the direct spawns too.
  await kinds.activator();
  const kept = { activator: [], direct: [] };
  let retries = 0;
  for (let i = 0; i < runs; i++) {
    for (const [kind, once] of Object.entries(kinds)) {
      for (;;) {
        const run = await once();
        if (run.otherCores > noisyCores && retries < maxRetries && settings.idleWaitSeconds > 0) {
          retries++;
          log(`  other processes took ${run.otherCores.toFixed(2)} cores; starting again`);
          await waitForQuiet({ maxWaitSeconds: settings.idleWaitSeconds, log });
          continue;
        }
        kept[kind].push(run);
        break;
      }
    }
  }
  return kept;
}
