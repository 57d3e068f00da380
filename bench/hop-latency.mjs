// One fixed-rate case: load a running chain's entry at one rate and record its latency, the
// CPU its processes used, and what else ran meanwhile. A run during which other processes
// took CPU is measured again once the machine is quiet (at most `maxRetries` times).
import { loadAtFixedRate } from "./load-fixed-rate.mjs";
import { cpuSnapshot, interference, noisyCores, pidsNamed, waitForQuiet } from "./machine-load.mjs";

const maxRetries = 5;

/**
 * Loads 127.0.0.1:`port` with `request` at `rate` per second (`settings.chainWarmupSeconds`
 * discarded, `settings.durationSeconds` measured). `pids` are the chain's processes;
 * `backingServices` names services (postgres, redis-server) whose CPU counts as the chain's.
 * Resolves the generator's results plus `serverCores`, `cpuMsPerRequest`, `otherCores` and
 * `stealPercent`.
 */
export async function measureAtFixedRate({ port, request, rate, pids, backingServices = [], settings, log }) {
  const chainPids = async () => [...pids, ...(backingServices.length > 0 ? await pidsNamed(backingServices) : [])];
  for (let retries = 0; ; retries++) {
    const before = await cpuSnapshot(await chainPids());
    const started = performance.now();
    const result = await loadAtFixedRate({
      url: `http://127.0.0.1:${port}`,
      ...request,
      rate,
      warmupSeconds: settings.chainWarmupSeconds,
      durationSeconds: settings.durationSeconds,
    });
    const seconds = (performance.now() - started) / 1000;
    const run = { ...result, ...interference(before, await cpuSnapshot(await chainPids())) };
    if (run.otherCores > noisyCores && retries < maxRetries && settings.idleWaitSeconds > 0) {
      log(`  other processes took ${run.otherCores.toFixed(2)} cores; measuring again`);
      await waitForQuiet({ maxWaitSeconds: settings.idleWaitSeconds, log });
      continue;
    }
    // Warm-up included: the CPU of every answered request, over the whole run.
    return { ...run, cpuMsPerRequest: (1000 * run.serverCores * seconds) / Math.max(1, run.answeredTotal) };
  }
}
