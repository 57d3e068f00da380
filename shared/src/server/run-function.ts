import { EnvError } from "../config/env-var.js";
import type { KineticFunction } from "../function/define-function.js";
import { serveFunction, type ServeFunctionOptions } from "./serve-function.js";

/**
 * Runs a function as its container's main process: serves it, drains on SIGTERM or SIGINT and
 * exits 0 once every in-flight request finished (1 if the drain bound cut some off). A
 * configuration problem stops the process at once with one line naming each bad variable.
 * A second signal exits immediately.
 */
export async function runFunction(fn: KineticFunction, options: ServeFunctionOptions = {}): Promise<void> {
  let running;
  try {
    running = await serveFunction(fn, options);
  } catch (err) {
    const reason = err instanceof EnvError || err instanceof TypeError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`${fn.name}: cannot start: ${reason}\n`);
    process.exit(1);
  }
  const { log } = running;
  // A parent holding an IPC channel (the emulator's activator) learns the port this way whatever
  // LOG_LEVEL hides; the channel must not keep the process alive.
  if (process.send) {
    process.send({ kinetic: "serving", port: running.port });
    process.channel?.unref();
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn("second signal, exiting without draining", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("signal received", { signal });
    running.close().then(
      (result) => process.exit(result.completed ? 0 : 1),
      (err: unknown) => {
        log.error("shutdown failed", { error: err });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
