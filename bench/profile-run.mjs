// The profiles (`--only=profile`): the Kinetic echo server with its fast paths off and on,
// each under one protocol in a process of its own on the server core, warmed up, then CPU
// profiled from inside (bench/profile-hook.mjs) while loaded as the throughput cases load it.
// Writes each profile and its flame graph to bench/results/profiles/<date>/ (not committed).
// Import after the build: the requests come from the compiled contracts.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { echoPath } from "./activator-cases.mjs";
import { flameGraphSvg } from "./flame-graph.mjs";
import { loadWithH2load } from "./load-h2load.mjs";
import { loadWithWrk } from "./load-wrk.mjs";
import { cpuSnapshot, interference } from "./machine-load.mjs";
import { profileCases } from "./profile-cases.mjs";
import { samplingIntervalUs, startSignal } from "./profile-hook.mjs";
import { summarizeProfile } from "./profile-summary.mjs";
import { protocols } from "./protocols.mjs";
import { startServer } from "./server-process.mjs";

/** Time for the server to act on the start signal before the measured load begins. */
const startSettleMs = 300;
/** How long a server may take to write its profile and exit after SIGTERM. */
const stopGraceMs = 30_000;

/** Loads 127.0.0.1:`port``path` with `protocol` for `seconds`, as throughput.mjs does. */
function load({ protocol, port, bodyFile, workDir, seconds, connections }) {
  const common = { url: `http://127.0.0.1:${port}${echoPath}`, bodyFile, seconds, connections };
  return protocol.tool === "wrk"
    ? loadWithWrk({ ...common, contentType: protocol.headers["content-type"] })
    : loadWithH2load({ ...common, headers: protocol.headers, workDir });
}

/** The row of case `c` (from profileCases) with `fields`. */
function profileRow(c, fields) {
  return { id: c.id, name: c.name, protocol: c.protocol.id, protocolLabel: c.protocol.label, fastPath: c.fastPath.value, tool: protocols[c.protocol.protocol].tool, ...fields };
}

/** Profiles one case (from profileCases); resolves its row. */
async function profileCase(c, { dir, workDir, root, settings, log, quiet }) {
  const protocol = protocols[c.protocol.protocol];
  const profileFile = join(dir, `${c.name}.cpuprofile`);
  const svgFile = join(dir, `${c.name}.svg`);
  let running;
  try {
    await quiet();
    const env = { LOG_LEVEL: "warn", KINETIC_FAST_PATH: c.fastPath.value, KINETIC_BENCH_CPU_PROFILE: profileFile };
    running = await startServer({ args: ["bench/servers/kinetic.mjs"], env, protocol, path: echoPath, cwd: root });
    log(`Kinetic, fast path ${c.fastPath.value}, ${c.protocol.label}: ${settings.warmupSeconds} s warm-up, then ${settings.durationSeconds} s profiled`);
    const bodyFile = join(workDir, `${c.protocol.protocol}.body`);
    await writeFile(bodyFile, protocol.body);
    const loadFor = (seconds) => load({ protocol, port: running.port, bodyFile, workDir, seconds, connections: settings.connections });
    await loadFor(settings.warmupSeconds);
    process.kill(running.pid, startSignal);
    await sleep(startSettleMs);
    const before = await cpuSnapshot(running.pid);
    const result = await loadFor(settings.durationSeconds);
    const noise = interference(before, await cpuSnapshot(running.pid));
    await running.stop(stopGraceMs);
    running = undefined;
    const text = await readFile(profileFile, "utf8").catch(() => {
      throw new Error(`the server wrote no profile to ${profileFile}`);
    });
    const profile = JSON.parse(text);
    const title = `Kinetic echo, ${c.protocol.label}, fast path ${c.fastPath.value}: ${Math.round(result.requestsPerSecond)} req/s, ${settings.connections} connections`;
    await writeFile(svgFile, flameGraphSvg(profile, { title }));
    const summary = summarizeProfile(profile);
    const cpuUsPerRequest = (noise.serverCores * 1e6) / result.requestsPerSecond;
    const sampledUsPerRequest = summary.busyUs / result.requests;
    log(`  ${Math.round(result.requestsPerSecond)} req/s, ${cpuUsPerRequest.toFixed(0)} µs CPU per request (${sampledUsPerRequest.toFixed(0)} µs sampled busy); steal ${noise.stealPercent.toFixed(0)}%, other ${noise.otherCores.toFixed(2)} cores`);
    const files = { profileFile: relative(root, profileFile), svgFile: relative(root, svgFile) };
    return profileRow(c, { status: "ok", ...result, ...noise, cpuUsPerRequest, sampledUsPerRequest, summary, ...files });
  } catch (error) {
    log(`  not available: ${error.message}`);
    return profileRow(c, { status: "unavailable", reason: error.message.split("\n")[0] });
  } finally {
    await running?.stop(stopGraceMs);
  }
}

/**
 * Profiles every case `settings.only` selects. Resolves `{ rows, notes, command }`: a row per
 * case (req/s, latency, CPU per request from /proc and from the profile's busy samples, the
 * profile's summary, its files), the sampling interval and where the files are.
 */
export async function measureProfiles({ settings, root, buildFailures, log, quiet }) {
  const cases = profileCases(settings.only);
  const command = `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim();
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  const dir = join(root, "bench/results/profiles", stamp);
  const result = { rows: [], notes: { samplingIntervalUs, dir: relative(root, dir) }, command };
  if (cases.length === 0) return result;
  const failure = buildFailures.shared ?? buildFailures.proto;
  if (failure) return { ...result, rows: cases.map((c) => profileRow(c, { status: "unavailable", reason: failure })) };
  await mkdir(dir, { recursive: true });
  const workDir = await mkdtemp(join(tmpdir(), "kinetic-bench-profile-"));
  try {
    for (const c of cases) result.rows.push(await profileCase(c, { dir, workDir, root, settings, log, quiet }));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  return result;
}
