import { Code, ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { context, type Tracer } from "@opentelemetry/api";
import type { CloudEvent } from "./cloud-event.js";
import { cloudEventFromHttp } from "./cloud-event-from-http.js";
import { cloudEventToHttp } from "./cloud-event-to-http.js";
import type { Inbox } from "./create-inbox.js";
import { dataFromCloudEvent } from "./data-from-cloud-event.js";
import { deliveryStatusFromError } from "./delivery-status-from-error.js";
import type { EventRuntime } from "./event-context.js";
import { eventMatchesFilters } from "./event-filter.js";
import { cloudEventFromReply, type EventReply } from "./event-reply.js";
import { startDeliverySpan } from "./start-delivery-span.js";
import type { Subscription } from "./subscription.js";

/** What `receiveEvent` needs; built once by `createEventReceiver`. @internal */
export interface Receiving {
  readonly subscriptions: readonly Subscription[];
  readonly runtime: EventRuntime;
  readonly inbox: Inbox;
  readonly tracer: Tracer;
}

type Outcome =
  | { readonly kind: "handled" | "duplicate"; readonly status: 200 | 202; readonly reply?: CloudEvent }
  | { readonly kind: "rejected" | "failed"; readonly status: number; readonly error: ConnectError; readonly cause: unknown };

/**
 * Handles one delivery: parse, match subscriptions by type and filters, decode the data, run
 * the handlers through the inbox, answer with the status Knative acts on. One span and one log
 * line per delivery; the log line never holds the data.
 *
 * @internal
 */
export async function receiveEvent(request: Request, receiving: Receiving): Promise<Response> {
  const started = performance.now();
  let event: CloudEvent | undefined;
  let parseError: unknown;
  try {
    event = cloudEventFromHttp(request.headers, new Uint8Array(await request.arrayBuffer()));
  } catch (err) {
    parseError = err;
  }
  const span = startDeliverySpan(receiving.tracer, request.headers, event);
  return context.with(span.context, async () => {
    let matched: Subscription[] = [];
    let outcome: Outcome;
    try {
      if (event === undefined) throw parseError;
      const type = event.type;
      matched = receiving.subscriptions.filter((s) => s.type === type && eventMatchesFilters(event, s.filters));
      outcome = await handle(event, matched, receiving);
    } catch (cause) {
      const { status, error } = deliveryStatusFromError(cause);
      outcome = { kind: status === 400 ? "rejected" : "failed", status, error, cause };
    }
    span.end(outcome.status, "error" in outcome ? outcome.error : undefined);
    logDelivery(receiving, event, matched, outcome, { trace_id: span.traceId, duration_ms: Math.round(performance.now() - started) });
    return responseOf(outcome);
  });
}

async function handle(event: CloudEvent, matched: readonly Subscription[], { subscriptions, runtime, inbox }: Receiving): Promise<Outcome> {
  if (matched.length === 0) {
    const known = subscriptions.some((s) => s.type === event.type);
    const message = known ? `no subscription for type ${event.type} has filters the event matches` : `no subscription for type ${event.type}`;
    throw new ConnectError(message, Code.Unimplemented);
  }
  // Decoded before the inbox, so malformed data is rejected without a transaction.
  const data = matched.map((s) => (s.schema === undefined ? event.data : dataFromCloudEvent(s.schema, event)));
  const log = runtime.log.child({ event_type: event.type, event_id: event.id });
  const result = await inbox.process(event, async (tx) => {
    const replies: EventReply[] = [];
    for (const [i, subscription] of matched.entries()) {
      const reply = await subscription.handler(data[i], { event, tx, redis: runtime.redis, log, client: runtime.client });
      if (reply) replies.push(reply);
    }
    return replies;
  });
  if (result.duplicate) return { kind: "duplicate", status: 202 };
  const [first, ...more] = result.value;
  if (more.length > 0) log.warn("several subscriptions replied to one event: only the first reply is sent", { replies: result.value.length });
  if (first === undefined) return { kind: "handled", status: 202 };
  return { kind: "handled", status: 200, reply: cloudEventFromReply(first, runtime.source) };
}

/** Internal: the delivery's one log line; 5xx at error with the cause's stack, 4xx at warn. */
function logDelivery(
  { runtime, inbox }: Receiving,
  event: CloudEvent | undefined,
  matched: readonly Subscription[],
  outcome: Outcome,
  timing: { trace_id: string | undefined; duration_ms: number },
): void {
  const level = outcome.status >= 500 ? "error" : outcome.status >= 400 ? "warn" : "info";
  runtime.log[level]("event delivery", {
    event_type: event?.type,
    event_source: event?.source,
    event_id: event?.id,
    event_subject: event?.subject,
    subscriptions: matched.map((s) => s.name),
    dedup: inbox.kind,
    outcome: outcome.kind,
    status: outcome.status,
    ...timing,
    ...("error" in outcome ? { error: outcome.error.rawMessage } : {}),
    ...("error" in outcome && outcome.status >= 500 ? { cause: outcome.cause } : {}),
  });
}

function responseOf(outcome: Outcome): Response {
  if ("error" in outcome) {
    return Response.json({ code: codeToString(outcome.error.code), message: outcome.error.rawMessage }, { status: outcome.status });
  }
  if (outcome.reply === undefined) return new Response(null, { status: outcome.status });
  const { headers, body } = cloudEventToHttp(outcome.reply);
  return new Response(body, { status: outcome.status, headers });
}
