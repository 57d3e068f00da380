// h2c load with h2load: prior-knowledge HTTP/2, one thread on the load core, N connections with
// one stream in flight each (as wrk), latency percentiles from its per-request log.
import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadCore } from "./server-process.mjs";
import { percentile } from "./stats.mjs";

const run = promisify(execFile);

/** Reads a count such as "12 succeeded" from h2load's "requests:" line. */
function count(stdout, word) {
  const match = new RegExp(`(\\d+) ${word}`).exec(stdout);
  if (match === null) throw new Error(`h2load output has no "${word}" count:\n${stdout}`);
  return Number(match[1]);
}

/**
 * POSTs `bodyFile` with `headers` to `url` for `seconds` over `connections` connections.
 * Resolves `{ requests, requestsPerSecond, p50Ms, p99Ms, errors }`; `workDir` holds the log.
 */
export async function loadWithH2load({ url, bodyFile, headers, seconds, connections, workDir }) {
  const logFile = join(workDir, "h2load.log");
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
  const args = ["-c", String(loadCore), "h2load", "-t1", `-c${connections}`, "-m1", `-D${seconds}`, "-d", bodyFile, ...headerArgs, `--log-file=${logFile}`, url];
  const { stdout } = await run("taskset", args, { maxBuffer: 1 << 20 });
  const rate = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(stdout);
  if (rate === null) throw new Error(`h2load printed no rate:\n${stdout}`);
  const latenciesUs = (await readFile(logFile, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((row) => Number(row.split("\t")[2]));
  await rm(logFile, { force: true });
  return {
    requests: count(stdout, "done"),
    requestsPerSecond: Number(rate[1]),
    p50Ms: percentile(latenciesUs, 50) / 1000,
    p99Ms: percentile(latenciesUs, 99) / 1000,
    errors: count(stdout, "failed"),
  };
}
