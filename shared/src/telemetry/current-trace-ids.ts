import { context, isSpanContextValid, trace } from "@opentelemetry/api";

/** The ids a log line carries to be found from its trace (and the trace from the line). */
export interface TraceIds {
  readonly trace_id: string;
  readonly span_id: string;
}

/**
 * The active span's ids, or undefined outside any trace. Works with and without the SDK: with
 * no SDK, a request that arrived with a `traceparent` still has its caller's trace id here.
 * Cheap enough to call on every log line (one AsyncLocalStorage read).
 *
 * @example
 * log.info("user created", { ...currentTraceIds() });
 */
export function currentTraceIds(): TraceIds | undefined {
  const span = trace.getSpanContext(context.active());
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : undefined;
}
