// One throughput run: check the echo is correct, warm the server up, then measure it once. A
// run during which other processes took CPU is measured again once the machine is quiet (at
// most `maxRetries` times). Rounds and medians are the caller's (`run.mjs`).
import { loadWithH2load } from "./load-h2load.mjs";
import { loadWithWrk } from "./load-wrk.mjs";
import { cpuSnapshot, interference, noisyCores, waitForQuiet } from "./machine-load.mjs";
import { sendOnce } from "./probe.mjs";

const maxRetries = 5;

/**
 * Loads the server (`pid`, 127.0.0.1:`port``path`) with `protocol` (request body in
 * `bodyFile`): a correctness check, `warmupSeconds` discarded, then one run of
 * `durationSeconds`. Resolves `{ requests, requestsPerSecond, p50Ms, p99Ms, errors, otherCores,
 * stealPercent }`.
 */
export async function measureThroughput({ protocol, pid, port, path, bodyFile, workDir, settings, log }) {
  protocol.check(await sendOnce(protocol, port, path));
  const url = `http://127.0.0.1:${port}${path}`;
  const load = (seconds) => {
    const common = { url, bodyFile, seconds, connections: settings.connections };
    return protocol.tool === "wrk"
      ? loadWithWrk({ ...common, contentType: protocol.headers["content-type"] })
      : loadWithH2load({ ...common, headers: protocol.headers, workDir });
  };
  await load(settings.warmupSeconds);
  for (let retries = 0; ; retries++) {
    const before = await cpuSnapshot(pid);
    const result = await load(settings.durationSeconds);
    const run = { ...result, ...interference(before, await cpuSnapshot(pid)) };
    if (run.otherCores <= noisyCores || retries >= maxRetries || settings.idleWaitSeconds === 0) return run;
    log(`  other processes took ${run.otherCores.toFixed(2)} cores; measuring again`);
    await waitForQuiet({ maxWaitSeconds: settings.idleWaitSeconds, log });
  }
}
