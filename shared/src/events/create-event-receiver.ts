import { trace, type Tracer } from "@opentelemetry/api";
import type { Hono } from "hono";
import { createInbox } from "./create-inbox.js";
import type { EventRuntime } from "./event-context.js";
import { receiveEvent } from "./receive-event.js";
import type { Subscription } from "./subscription.js";
import { validateSubscriptions } from "./validate-subscriptions.js";

export interface EventReceiverOptions {
  /** The function's subscriptions (`on(…)`, `onKafkaRecord(…)`); names must be unique. Required. */
  subscriptions: readonly Subscription[];
  /** Pools, logger, client and reply `source` of the function. Required. */
  runtime: EventRuntime;
  /** How long Redis remembers a handled event when the function has no Postgres, in seconds. Default 604800 (7 days). */
  dedupTtlSeconds?: number | undefined;
  /** Tracer of the delivery spans. Default `trace.getTracer("@kinetic/runtime")`: the global provider's. */
  tracer?: Tracer | undefined;
}

/** The CloudEvents sink of a function. */
export interface EventReceiver {
  /** Registers `POST /`, the sink URL Knative Triggers and KafkaSources post to. */
  routes(app: Hono): void;
  /** Answers new deliveries 503 (Knative retries them) and waits for those in flight. */
  close(): Promise<void>;
}

/**
 * Creates the receiving side of a function's subscriptions: CloudEvents over HTTP in binary or
 * structured mode, deduplicated by (`source`, `id`) in `kinetic_inbox` when the function has
 * Postgres (call `ensureInboxTable` at start), else in Redis, else not at all; answered as
 * Knative's dispatcher expects: 202 handled or duplicate, 200 with the reply event, 400 for
 * events that can never succeed (not retried), 429 and 5xx for failures worth retrying.
 * See README.md in this folder for the exact guarantees.
 *
 * @example
 * const receiver = createEventReceiver({ subscriptions, runtime: { sql, redis, log, client, source: "/functions/mailer" } });
 * receiver.routes(app);
 * // on shutdown, after the server drained
 * await receiver.close();
 */
export function createEventReceiver({ subscriptions, runtime, dedupTtlSeconds = 604_800, tracer }: EventReceiverOptions): EventReceiver {
  validateSubscriptions(subscriptions);
  if (!Number.isInteger(dedupTtlSeconds) || dedupTtlSeconds < 1) throw new TypeError("dedupTtlSeconds must be a positive integer");
  const receiving = {
    subscriptions,
    runtime,
    inbox: createInbox({ sql: runtime.sql, redis: runtime.redis, ttlSeconds: dedupTtlSeconds, log: runtime.log }),
    tracer: tracer ?? trace.getTracer("@kinetic/runtime"),
  };
  const inFlight = new Set<Promise<Response>>();
  let closing = false;
  return {
    routes(app) {
      app.post("/", async function receiveCloudEvent(c) {
        if (closing) return c.json({ code: "unavailable", message: "the function is shutting down; retry" }, 503);
        const delivery = receiveEvent(c.req.raw, receiving);
        inFlight.add(delivery);
        try {
          return await delivery;
        } finally {
          inFlight.delete(delivery);
        }
      });
    },
    async close() {
      closing = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}
