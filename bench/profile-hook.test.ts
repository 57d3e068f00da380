import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { startSignal } from "./profile-hook.mjs";
import { summarizeProfile } from "./profile-summary.mjs";
import type { CpuProfile } from "./profile-tree.mjs";

/** A process that profiles itself on signals and keeps busy in `spin` until it is stopped. */
function startProfiled(file: string) {
  const hook = new URL("profile-hook.mjs", import.meta.url).href;
  const script = `
    const { profileOnSignals } = await import(${JSON.stringify(hook)});
    profileOnSignals(${JSON.stringify(file)});
    // The work is spin's own, not performance.now()'s: reading the clock once per 10,000 steps
    // keeps the self time in spin, not all in performance.now, which left spin out of some profiles.
    function spin() { const end = performance.now() + 5; let x = 0; while (performance.now() < end) for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + i); return x; }
    // Never optimised, so never inlined into the timer code that calls it: an inlined spin's
    // samples count as listOnTimeout's, which left spin out of a CI run's profile.
    %NeverOptimizeFunction(spin);
    setInterval(spin, 10);
    console.log("ready");`;
  const child = spawn(process.execPath, ["--allow-natives-syntax", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(child, "exit");
  return { child, exited, ready: once(child.stdout, "data") };
}

describe("profileOnSignals", () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), "kinetic-bench-profile-hook-"))));
  after(() => rm(dir, { recursive: true, force: true }));

  it("should profile from the start signal to SIGTERM, write the profile and exit 0", async () => {
    const file = join(dir, "busy.cpuprofile");
    const { child, exited, ready } = startProfiled(file);
    await ready;
    await sleep(200);
    child.kill(startSignal);
    await sleep(400);
    child.kill("SIGTERM");
    assert.deepEqual(await exited, [0, null]);
    const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
    // The profile covers the 400 ms between the signals, not the 200 ms before.
    const spanMs = (profile.endTime - profile.startTime) / 1000;
    assert.ok(spanMs > 300 && spanMs < 3000, `profile spans ${spanMs} ms`);
    const { functions, busyUs } = summarizeProfile(profile);
    assert.ok(busyUs > 50_000, `busy ${busyUs} µs`);
    assert.ok(functions.some((f) => f.name === "spin"), functions.map((f) => f.name).join(", "));
  });

  it("should exit 0 without a file when stopped before the start signal", async () => {
    const file = join(dir, "never.cpuprofile");
    const { child, exited, ready } = startProfiled(file);
    await ready;
    child.kill("SIGTERM");
    assert.deepEqual(await exited, [0, null]);
    await assert.rejects(stat(file), { code: "ENOENT" });
  });
});
