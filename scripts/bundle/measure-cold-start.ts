/**
 * Measures identity's cold start — from spawning `node` to the first successful RPC (a Connect
 * ListUsers that reads Postgres) — run from the esbuild bundle, from `tsc` output and from
 * TypeScript through tsx, with tracing off and on: the wall time, the CPU time the process
 * used until then (user + system, all threads), which other load on the machine disturbs far
 * less, and its resident memory at that moment. Runs alternate between the ways so noise spreads evenly; prints JSON (median, min, max).
 * Needs Postgres, and Kafka at KAFKA_BROKERS (default 127.0.0.1:9092). Run:
 *   node --conditions=kinetic-source --import tsx scripts/bundle/measure-cold-start.ts
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, startOtlpReceiver } from "@kinetic/runtime/testing";
import { bundleEntry, bundleFunction } from "./bundle-function.js";
import { startProcess } from "./start-process.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const runs = Number(process.env["RUNS"] ?? 9);

// identity's project references bring proto/ and shared/: the whole of what `tsc` runs here.
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", "functions/identity/tsconfig.build.json"], { cwd: root, stdio: "inherit" });
const out = mkdtempSync(join(tmpdir(), "kinetic-cold-start-"));
const bundle = await bundleFunction({ name: "identity", outDir: join(out, "identity") });
const db = await createTestDatabase();
const otlp = await startOtlpReceiver();
const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url };

const ways: Record<string, { args: string[]; cwd: string; env?: Record<string, string> }> = {
  "bundle": { args: [bundleEntry], cwd: bundle.directory },
  "tsc": { args: ["shared/dist/bin/serve.js", "identity"], cwd: root },
  "tsx": { args: ["--conditions=kinetic-source", "--import", "tsx", "shared/src/bin/serve.ts", "functions/identity/src/index.ts"], cwd: root },
  "bundle, tracing on": { args: [bundleEntry], cwd: bundle.directory, env: tracing },
  "tsc, tracing on": { args: ["shared/dist/bin/serve.js", "identity"], cwd: root, env: tracing },
};

/** CPU time `pid` has used, user and system, every thread, in ms (Linux). */
function cpuMs(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticksPerSecond = 100; // USER_HZ: /proc reports in hundredths of a second on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Resident set size of `pid` in MiB (Linux). */
function rssMiB(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

interface Sample {
  readonly wall: number;
  readonly cpu: number;
  readonly rss: number;
}

/** One cold start of `way`: wall and CPU ms until the first answer, and RSS then. */
async function coldStart({ args, cwd, env = {} }: (typeof ways)[string]): Promise<Sample> {
  const started = performance.now();
  const child = await startProcess({
    command: process.execPath,
    args,
    cwd,
    env: { PATH: process.env["PATH"] ?? "", NODE_ENV: "production", PORT: "0", DATABASE_URL: db.url, KAFKA_BROKERS: process.env["KAFKA_BROKERS"] ?? "127.0.0.1:9092", ...env },
  });
  try {
    for (;;) {
      const response = await fetch(`${child.url}/kinetic.identity.v1.IdentityService/ListUsers`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"pageSize":1}',
      });
      if (response.ok) return { wall: performance.now() - started, cpu: cpuMs(child.child.pid!), rss: rssMiB(child.child.pid!) };
      await response.arrayBuffer();
    }
  } finally {
    child.child.kill("SIGTERM");
    await child.exited;
  }
}

const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
try {
  await coldStart(ways["tsc"]!); // migrates the database, so every measured start finds it ready
  for (let run = 0; run < runs; run++) {
    for (const [name, way] of Object.entries(ways)) samples[name]!.push(await coldStart(way));
  }
} finally {
  await otlp.close();
  await db.drop();
  rmSync(out, { recursive: true, force: true });
}
/** Median, min and max of `values`, rounded. */
function summarize(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: Math.round(sorted[Math.floor(sorted.length / 2)]!), min: Math.round(sorted[0]!), max: Math.round(sorted.at(-1)!) };
}
const summary = Object.fromEntries(
  Object.entries(samples).map(([name, runs]) => [name, { wall_ms: summarize(runs.map((r) => r.wall)), cpu_ms: summarize(runs.map((r) => r.cpu)), rss_mib: summarize(runs.map((r) => r.rss)) }]),
);
console.log(JSON.stringify({ node: process.version, runs, bundle_bytes: bundle.bytes, results: summary }, null, 2));
