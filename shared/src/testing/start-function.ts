import type { KineticFunction } from "../function/define-function.js";
import { serveFunction, type RunningFunction, type ServeFunctionOptions } from "../server/serve-function.js";

/** A function served in-process for a test, with its log lines captured. */
export interface StartedFunction extends RunningFunction {
  /** Every log line written so far, parsed. */
  readonly logs: Record<string, unknown>[];
}

/**
 * Serves `fn` on a free port of 127.0.0.1 with `env` over the current environment. Close it in
 * `after()`.
 */
export async function startFunction(
  fn: KineticFunction,
  env: Record<string, string> = {},
  options: Pick<ServeFunctionOptions, "clients"> = {},
): Promise<StartedFunction> {
  const logs: Record<string, unknown>[] = [];
  const running = await serveFunction(fn, {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "debug", ...env },
    host: "127.0.0.1",
    ...options,
    write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  return Object.assign(Object.create(running) as RunningFunction, { logs }) as StartedFunction;
}
