// HTTP/1.1 load with wrk: one thread on the load core, N keep-alive connections.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { loadCore } from "./server-process.mjs";

const run = promisify(execFile);
const script = fileURLToPath(new URL("wrk-post.lua", import.meta.url));

/**
 * POSTs `bodyFile` to `url` for `seconds` over `connections` connections. Resolves
 * `{ requests, requestsPerSecond, p50Ms, p99Ms, errors }`.
 */
export async function loadWithWrk({ url, bodyFile, contentType, seconds, connections }) {
  const args = ["-c", String(loadCore), "wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "5s", "-s", script, url, "--", bodyFile, contentType];
  const { stdout } = await run("taskset", args, { maxBuffer: 1 << 20 });
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  if (line === undefined) throw new Error(`wrk printed no result:\n${stdout}`);
  const result = JSON.parse(line.slice("BENCH_RESULT ".length));
  return {
    requests: result.requests,
    requestsPerSecond: result.requests / (result.durationUs / 1e6),
    p50Ms: result.p50Us / 1000,
    p99Ms: result.p99Us / 1000,
    errors: result.errors,
  };
}
