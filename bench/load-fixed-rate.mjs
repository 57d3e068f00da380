// Fixed-rate load with bench/fixed-rate.mjs, run in its own `node` process pinned to the load
// core (as wrk and h2load are), so the harness's own work never delays a send.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadCore } from "./server-process.mjs";

const run = promisify(execFile);
const generator = fileURLToPath(new URL("fixed-rate.mjs", import.meta.url));

/**
 * Sends `body` (Connect, `contentType`) to `url``path` at `rate` requests per second:
 * `warmupSeconds` discarded, then `durationSeconds` measured. `expect`, when given, is the
 * exact answer body. Resolves the generator's results (see fixed-rate.mjs).
 */
export async function loadAtFixedRate({ url, path, contentType, body, expect, rate, warmupSeconds, durationSeconds }) {
  const spec = {
    url,
    path,
    contentType,
    bodyBase64: Buffer.from(body).toString("base64"),
    ...(expect === undefined ? {} : { expectBase64: Buffer.from(expect).toString("base64") }),
    rate,
    warmupSeconds,
    durationSeconds,
  };
  const { stdout } = await run("taskset", ["-c", String(loadCore), process.execPath, generator, JSON.stringify(spec)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}
