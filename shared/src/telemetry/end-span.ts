import { SpanStatusCode, type Span } from "@opentelemetry/api";

/**
 * Ends `span`; when `error` is given, first marks the span as failed with the error's message
 * and records it as an exception event (type, message, stack). Instrumentation that decides a
 * failure is not the span's fault (a server's `not_found`) passes no error and sets its own
 * attributes instead.
 */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const exception = error instanceof Error ? error : new Error(String(error));
    span.recordException(exception);
    span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
  }
  span.end();
}
