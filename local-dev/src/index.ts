/**
 * `npm run dev`: the Knative emulator on this machine (see `startDevPlatform`). Reads PORT
 * (the activator's entry port, 8080), KINETIC_DEV_PORT (the first function's own port, 8081),
 * KINETIC_DEV_IDLE_SECONDS (30) and KINETIC_REGISTRY_PORT (any). Ctrl-C stops everything,
 * draining each function, and leaves no process behind, also during the start.
 */
import { EnvError, integerVar, readEnv, type EnvVar } from "@kinetic/runtime";
import { startDevPlatform, type DevPlatform } from "./dev/start-dev-platform.js";

/** Seconds above zero; fractions allowed, for tests that want instances gone fast. */
const secondsVar = (defaultValue: number): EnvVar<number> => ({
  expected: "a number of seconds above 0 (fractions allowed)",
  defaultValue,
  parse: (raw) => (/^\d+(\.\d+)?$/.test(raw.trim()) && Number(raw) > 0 ? Number(raw) : undefined),
});

let config;
try {
  config = readEnv({
    PORT: integerVar(8080, 0, 65535),
    KINETIC_DEV_PORT: integerVar(8081, 0, 65535),
    KINETIC_DEV_IDLE_SECONDS: secondsVar(30),
    KINETIC_REGISTRY_PORT: integerVar(0, 0, 65535),
  });
} catch (err) {
  process.stderr.write(`kinetic dev: ${err instanceof EnvError ? err.message : String(err)}\n`);
  process.exit(2);
}

const starting = new AbortController();
let platform: DevPlatform | undefined;
let stopping = false;
const stop = () => {
  if (stopping) {
    process.stdout.write("kinetic dev: second signal, exiting now (instances are killed)\n");
    process.exit(130);
  }
  stopping = true;
  starting.abort(); // a start in progress stops what it started, then the catch below exits
  if (platform) void platform.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

try {
  platform = await startDevPlatform({
    port: config.PORT,
    basePort: config.KINETIC_DEV_PORT,
    idleSeconds: config.KINETIC_DEV_IDLE_SECONDS,
    registryPort: config.KINETIC_REGISTRY_PORT,
    signal: starting.signal,
  });
} catch (err) {
  if (starting.signal.aborted) process.exit(0); // Ctrl-C during the start: what had started is stopped
  process.stdout.write(`kinetic dev: ${(err as Error).message}\n`);
  process.exit(1);
}
if (stopping) void platform.close().then(() => process.exit(0));
