import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@kinetic/runtime";
import type { DispatcherTrigger } from "./dispatcher-trigger.js";

/**
 * The subscriber URL of a trigger, looked up before every attempt so a restarted function is
 * found at its new port: `spec.subscriber.uri` as is, or the base URL `resolve` gives for the
 * Knative Service in `spec.subscriber.ref`, plus `/`. While `resolve` fails (the function is
 * not running) it waits, logging once, instead of spending retries: on the cluster a Trigger
 * whose subscriber does not exist is not ready, and its events wait in Kafka.
 *
 * @internal
 */
export function createSubscriberResolver(
  trigger: DispatcherTrigger,
  resolve: (fn: string) => Promise<string>,
  retryMs: number,
  log: Logger,
): (signal: AbortSignal) => Promise<string> {
  const { ref, uri } = trigger.spec.subscriber;
  if (uri !== undefined) return () => Promise.resolve(uri);
  if (ref === undefined) throw new TypeError(`trigger ${trigger.metadata.name}: spec.subscriber needs a ref or a uri`);
  let waiting = false;
  return async (signal) => {
    for (;;) {
      try {
        const url = `${(await resolve(ref.name)).replace(/\/+$/, "")}/`;
        if (waiting) log.info("subscriber found; delivering", { trigger: trigger.metadata.name, url });
        waiting = false;
        return url;
      } catch (err) {
        if (!waiting) log.warn("cannot find the subscriber; its events wait", { trigger: trigger.metadata.name, function: ref.name, error: (err as Error).message });
        waiting = true;
        await sleep(retryMs, undefined, { signal });
      }
    }
  };
}
