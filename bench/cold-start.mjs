// Cold start: time from spawning a fresh `node` process to its first correct echo (polled
// back to back), and its resident memory once idle, over several runs. A run during which
// other processes took CPU is done again once the machine is quiet.
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { cpuSnapshot, interference, noisyCores, waitForQuiet } from "./machine-load.mjs";
import { startServer } from "./server-process.mjs";
import { summarize } from "./stats.mjs";

/** How long a server sits idle after its first answer before its memory is read. */
const settleMs = 500;
const maxRetries = 5;

/** Resident set size of `pid` in MiB, from /proc/<pid>/status. */
async function residentMiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (kib === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kib[1]) / 1024;
}

/** One cold start: `{ startMs, idleRssMiB, otherCores, stealPercent }`. */
async function coldStartOnce(server) {
  const before = await cpuSnapshot();
  const running = await startServer(server);
  try {
    await sleep(settleMs);
    const idleRssMiB = await residentMiB(running.pid);
    return { startMs: running.readyMs, idleRssMiB, ...interference(before, await cpuSnapshot(running.pid)) };
  } finally {
    await running.stop(0);
  }
}

/**
 * Starts the server (`args`, `env`, probed with `protocol` on `path`) `runs` times. Resolves
 * `{ startMs, idleRssMiB }`, each `{ median, min, max }`, with the kept runs' mean
 * `otherCores` and `stealPercent`; rejects with the first failure.
 */
export async function measureColdStart({ runs, settings, log, ...server }) {
  const kept = [];
  for (let retries = 0; kept.length < runs; ) {
    const run = await coldStartOnce(server);
    if (run.otherCores > noisyCores && retries < maxRetries && settings.idleWaitSeconds > 0) {
      retries++;
      log(`  other processes took ${run.otherCores.toFixed(2)} cores; starting again`);
      await waitForQuiet({ maxWaitSeconds: settings.idleWaitSeconds, log });
      continue;
    }
    kept.push(run);
  }
  const mean = (key) => kept.reduce((sum, run) => sum + run[key], 0) / kept.length;
  return {
    startMs: summarize(kept.map((r) => r.startMs)),
    idleRssMiB: summarize(kept.map((r) => r.idleRssMiB)),
    otherCores: mean("otherCores"),
    stealPercent: mean("stealPercent"),
  };
}
