import { ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context, type TextMapGetter, type Tracer } from "@opentelemetry/api";
import { endSpan } from "../telemetry/end-span.js";
import { headersCarrier } from "../telemetry/headers-carrier.js";
import { w3cTraceContext } from "../telemetry/w3c-trace-context.js";
import type { CloudEvent } from "./cloud-event.js";

/** The span of one delivery. */
export interface DeliverySpan {
  /** The context to handle the event in: the producer's trace with this span active. */
  readonly context: Context;
  /** The trace id for log lines, or undefined when there is no trace. */
  readonly traceId: string | undefined;
  /** Records the HTTP status answered (and the failure, if any) and ends the span. */
  end(status: number, error?: unknown): void;
}

const extensionsCarrier: TextMapGetter<Readonly<Record<string, string>>> = {
  get: (extensions, key) => extensions[key],
  keys: (extensions) => Object.keys(extensions),
};

/**
 * Starts the CONSUMER span of one delivery (`process <type>`), continuing the trace of the
 * request's `traceparent` header (Knative's dispatcher propagates it), else of the event's
 * `traceparent` extension (the CloudEvents distributed tracing extension, which survives
 * structured mode and Kafka). Attributes follow the CloudEvents semantic conventions; failed
 * deliveries end with an error status.
 *
 * @internal
 */
export function startDeliverySpan(tracer: Tracer, headers: Headers, event: CloudEvent | undefined): DeliverySpan {
  let parent = w3cTraceContext.extract(ROOT_CONTEXT, headers, headersCarrier);
  if (trace.getSpanContext(parent) === undefined && event !== undefined) {
    parent = w3cTraceContext.extract(ROOT_CONTEXT, event.extensions, extensionsCarrier);
  }
  const attributes: Attributes = { "messaging.operation.type": "process" };
  if (event !== undefined) {
    Object.assign(attributes, {
      "cloudevents.event_id": event.id,
      "cloudevents.event_source": event.source,
      "cloudevents.event_type": event.type,
      "cloudevents.event_spec_version": event.specversion,
    });
    if (event.subject !== undefined) attributes["cloudevents.event_subject"] = event.subject;
  }
  const name = event === undefined ? "process cloudevent" : `process ${event.type}`;
  const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent);
  const { traceId } = span.spanContext();
  return {
    context: trace.setSpan(parent, span),
    traceId: trace.isSpanContextValid(span.spanContext()) ? traceId : undefined,
    end(status, error) {
      span.setAttribute("http.response.status_code", status);
      endSpan(span, error);
    },
  };
}
