import { setTimeout as sleep } from "node:timers/promises";
import type { FunctionInstance } from "./start-function-instance.js";

/**
 * Why a request lost its instance, for the error its client gets: "died" when the process
 * ended (its exit may be reported a moment after the connection broke, hence the short wait),
 * else the connection's failure.
 */
export async function instanceLossMessage(fn: string, instance: FunctionInstance, detail: string): Promise<string> {
  const bound = new AbortController();
  const exit = await Promise.race([instance.exited, sleep(1000, undefined, { signal: bound.signal }).catch(() => undefined)]);
  bound.abort();
  const which = `instance ${instance.id} of ${fn} (pid ${instance.pid})`;
  if (exit === undefined) return `lost the connection to ${which} mid-request (${detail})`;
  return `${which} died mid-request (${exit.signal ?? `exit code ${exit.code}`}); the next request starts a new one`;
}
