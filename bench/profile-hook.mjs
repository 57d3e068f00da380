// Inside a benchmarked server: V8's CPU profiler driven by signals from the harness, so the
// profile covers the measured load and not the start-up or the warm-up.
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";

/** The signal that starts the profiler; SIGUSR1 is Node's own (it opens the inspector). */
export const startSignal = "SIGUSR2";
/** V8's sampling interval by default, µs: `node --cpu-prof`'s. */
export const samplingIntervalUs = 1000;

/**
 * Makes this process profile itself: `startSignal` starts V8's sampling CPU profiler (every
 * `intervalUs` µs), SIGTERM stops it, writes the profile as JSON (a `.cpuprofile`) to `file`
 * and exits 0 (1 when writing failed). SIGTERM before `startSignal` exits 0 without a file.
 *
 * @example
 * if (process.env.KINETIC_BENCH_CPU_PROFILE) profileOnSignals(process.env.KINETIC_BENCH_CPU_PROFILE);
 */
export function profileOnSignals(file, { intervalUs = samplingIntervalUs } = {}) {
  const session = new Session();
  session.connect();
  let started;
  process.on(startSignal, () => {
    started ??= (async () => {
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
      await session.post("Profiler.start");
    })();
  });
  process.once("SIGTERM", async () => {
    try {
      if (started) {
        await started;
        const { profile } = await session.post("Profiler.stop");
        await writeFile(file, JSON.stringify(profile));
      }
      process.exit(0);
    } catch (error) {
      process.stderr.write(`cpu profile not written to ${file}: ${error.message}\n`);
      process.exit(1);
    }
  });
}
