import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { cloudEventFromHttp, type Logger } from "@kinetic/runtime";
import type { BrokerEvent } from "./broker-event.js";
import { brokerEventFromCloudEvent } from "./broker-event-from-cloud-event.js";
import { createTriggerDispatch } from "./create-trigger-dispatch.js";
import { createTriggerQueue } from "./create-trigger-queue.js";
import { dispatchEvent } from "./dispatch-event.js";
import type { DispatcherDelivery, DispatcherTrigger } from "./dispatcher-trigger.js";
import { triggerFiltersMatch } from "./trigger-filters-match.js";

export interface MemoryBrokerOptions {
  /** The Triggers, as `loadEventingManifests` reads them. Required. */
  triggers: readonly DispatcherTrigger[];
  /** Base URL of a function by name (the emulator's activator, which wakes a function at zero); rejects while it cannot be reached. Required. */
  resolve: (fn: string) => Promise<string>;
  log: Logger;
  /** The Broker's `spec.delivery`, merged into each Trigger's field by field. Default none. */
  brokerDelivery?: DispatcherDelivery | undefined;
  /** The Broker's namespace: the ingress path is `/<namespace>/<broker>`. Default "default". */
  namespace?: string;
  /** The Broker's name. Default "kinetic". */
  broker?: string;
  /** Port of the ingress, on 127.0.0.1. Default 0 (any free port). */
  port?: number;
  /** Events one trigger holds, waiting or in flight; beyond it the ingress answers 429 and the publisher's outbox keeps the event. Default 1000. */
  queueCapacity?: number;
  /** Deliveries in flight per trigger (an ordered trigger: one per partition key). Default 50. */
  concurrency?: number;
  /** Dead letters kept for `deadLetters()`; the oldest are forgotten beyond it. Default 1000. */
  deadLetterCapacity?: number;
  /** Largest event the ingress accepts (413 beyond). Default 4 MiB. */
  maxEventBytes?: number;
  /** Per-attempt timeout when the delivery spec sets none. Default 30000 ms. */
  timeoutMs?: number;
  /** Pause between lookups of a subscriber that is not running. Default 1000 ms. */
  resolveRetryMs?: number;
}

/** A dead letter the in-memory broker kept. */
export interface MemoryDeadLetter {
  /** The Trigger whose delivery failed for good. */
  readonly trigger: string;
  readonly at: Date;
  /** The event, unchanged, plus `knativeerrordest`, `knativeerrorcode` and `knativeerrordata` (base64 of the response body's start). */
  readonly event: BrokerEvent;
}

/** The in-memory broker: not durable (see `startMemoryBroker`). */
export interface MemoryBroker {
  /** The ingress, `http://127.0.0.1:<port>/<namespace>/<broker>`: the K_SINK of every function. */
  readonly url: string;
  /** The dead letters kept, oldest first. */
  deadLetters(): readonly MemoryDeadLetter[];
  /** Stops the ingress and aborts deliveries; events accepted but not delivered are lost (logged with their count, once per Trigger). */
  close(): Promise<void>;
}

/**
 * A Knative Broker for `npm run dev` without Kafka, like Knative's InMemoryChannel: **not
 * durable**. Its ingress takes CloudEvents in binary or structured mode at
 * `POST /<namespace>/<broker>` (202; malformed: 400; another path: 404) and hands each to every
 * Trigger whose filters match, which delivers it exactly as the Kafka dispatcher does
 * (`dispatchEvent`: retries with back-off, replies back into the broker, dead letters with
 * Knative's error extensions, kept in memory here). Ordered Triggers deliver one event at a
 * time per `partitionkey` (the Kafka record key), else per `subject`; unordered ones
 * concurrently. A trigger holding `queueCapacity` events makes the ingress answer 429, so the
 * publisher's outbox, the durable part, keeps the event and sends it again later; what the
 * ingress accepted is lost if the emulator stops before delivering it.
 *
 * @example
 * const broker = await startMemoryBroker({ triggers, brokerDelivery, resolve: (fn) => activator.resolve(fn), log });
 * // each function: K_SINK=broker.url, KAFKA_BROKERS unset
 */
export async function startMemoryBroker(options: MemoryBrokerOptions): Promise<MemoryBroker> {
  const { triggers, resolve, log, brokerDelivery, namespace = "default", broker = "kinetic", port = 0 } = options;
  const { queueCapacity = 1000, concurrency = 50, deadLetterCapacity = 1000, maxEventBytes = 4 * 1024 * 1024 } = options;
  const { timeoutMs = 30_000, resolveRetryMs = 1000 } = options;
  const path = `/${namespace}/${broker}`;
  const stopping = new AbortController();
  const deadLetters: MemoryDeadLetter[] = [];
  let forgetting = false;

  const routes = triggers.map((trigger) => {
    const dispatch = createTriggerDispatch(trigger, {
      resolve,
      brokerDelivery,
      timeoutMs,
      resolveRetryMs,
      log,
      reply: async (event) => {
        const refused = accept(event);
        if (refused) throw new Error(refused.rawMessage);
      },
      deadLetter: async (event) => {
        deadLetters.push({ trigger: trigger.metadata.name, at: new Date(), event });
        if (deadLetters.length <= deadLetterCapacity) return;
        deadLetters.shift();
        if (!forgetting) log.warn("in-memory dead letters over capacity; forgetting the oldest", { capacity: deadLetterCapacity });
        forgetting = true;
      },
      deadLetterSink: deadLetterSinkOf(trigger.spec.delivery?.deadLetterSink ?? brokerDelivery?.deadLetterSink),
    });
    const queue = createTriggerQueue({ capacity: queueCapacity, concurrency, ordered: dispatch.ordered, handle: (event) => dispatchEvent(event, dispatch, stopping.signal) });
    return { dispatch, queue };
  });

  /** Hands an event to every trigger it matches, or to none when one of them is full (so a retry duplicates nothing). */
  function accept(event: BrokerEvent): ConnectError | undefined {
    if (stopping.signal.aborted) return new ConnectError("the in-memory broker is stopping", Code.Unavailable);
    const matching = routes.filter((r) => triggerFiltersMatch(r.dispatch.filters, event.attributes));
    const full = matching.find((r) => r.queue.full);
    if (full) return new ConnectError(`trigger ${full.dispatch.trigger} holds ${queueCapacity} events, its capacity: send again later`, Code.ResourceExhausted);
    const key = event.attributes["partitionkey"] ?? event.attributes["subject"];
    for (const route of matching) route.queue.push(event, key);
    return undefined;
  }

  const server = http.createServer((req, res) => {
    const reply = (status: number, error?: ConnectError, headers: Record<string, string> = {}) => {
      if (!error) return void res.writeHead(status, headers).end();
      res.writeHead(status, { ...headers, "content-type": "application/json" }).end(JSON.stringify({ code: codeToString(error.code), message: error.rawMessage }));
    };
    const target = (req.url ?? "/").split("?")[0];
    if (target !== path) return reply(404, new ConnectError(`no broker at ${target}: this one is ${path}`, Code.NotFound));
    if (req.method !== "POST") return reply(405, new ConnectError(`${req.method} is not allowed: POST a CloudEvent`, Code.Unimplemented), { allow: "POST" });
    const chunks: Buffer[] = [];
    let length = 0;
    req.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length <= maxEventBytes) chunks.push(chunk);
    });
    req.on("end", () => {
      if (length > maxEventBytes) return reply(413, new ConnectError(`the event is ${length} bytes; this broker takes at most ${maxEventBytes}`, Code.ResourceExhausted));
      let event: BrokerEvent;
      try {
        event = brokerEventFromCloudEvent(cloudEventFromHttp(headersOf(req), Buffer.concat(chunks)));
      } catch (err) {
        return reply(400, err instanceof ConnectError ? err : new ConnectError((err as Error).message, Code.InvalidArgument));
      }
      const refused = accept(event);
      if (!refused) return reply(202);
      reply(refused.code === Code.ResourceExhausted ? 429 : 503, refused, { "retry-after": "1" });
    });
  });
  await new Promise<void>((ready) => server.listen(port, "127.0.0.1", ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  log.warn("in-memory broker: NOT DURABLE, events it accepted are lost if the emulator stops before delivering them (they wait durably in each publisher's outbox until then)", {
    url,
    triggers: routes.map((r) => r.dispatch.trigger),
    queue_capacity: queueCapacity,
  });

  return {
    url,
    deadLetters: () => [...deadLetters],
    async close() {
      const waiting = routes.reduce((sum, r) => sum + r.queue.clear(), 0);
      const inFlight = routes.reduce((sum, r) => sum + r.queue.size, 0);
      stopping.abort(new Error("the in-memory broker is stopping"));
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
      await Promise.all(routes.map((r) => r.queue.idle()));
      if (waiting + inFlight > 0) log.warn("in-memory broker stopped: undelivered events are lost (not durable)", { lost: waiting + inFlight });
    },
  };
}

/** Internal: a request's headers as a fetch `Headers`. */
function headersOf(req: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  return headers;
}

/** Internal: where a trigger's dead letters go here, for the log line, naming the sink the cluster would use. */
function deadLetterSinkOf(sink: unknown): string {
  const { ref, uri } = (sink ?? {}) as { ref?: { kind?: string; name?: string }; uri?: string };
  if (ref?.kind === "KafkaSink") return `memory: the KafkaSink ${ref.name ?? ""} needs Kafka, which is not running; kept in memory, lost on exit`;
  return `memory, in place of ${ref ? `${ref.kind ?? ""} ${ref.name ?? ""}`.trim() : (uri ?? "the dead-letter sink")}; lost on exit`;
}
