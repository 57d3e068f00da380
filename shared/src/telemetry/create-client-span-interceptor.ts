import type { Interceptor, StreamResponse } from "@connectrpc/connect";
import { SpanKind, context, type Tracer } from "@opentelemetry/api";
import { headersCarrier } from "./headers-carrier.js";
import { startRpcSpan } from "./rpc-span.js";
import { tracedStream } from "./traced-stream.js";
import { w3cTraceContext } from "./w3c-trace-context.js";

/**
 * Connect client interceptor: a CLIENT span per call, child of the active span (the inbound
 * call's, inside a handler), with `traceparent` and `tracestate` set on the request so the
 * callee continues the trace. A streamed response's span ends when the caller finishes
 * reading it. Placed before the retry interceptor, one span covers a call and its retries.
 *
 * With no SDK the span is the active one itself, so an incoming trace id passes through.
 */
export function createClientSpanInterceptor(tracer: Tracer): Interceptor {
  return (next) =>
    async function traceClientCall(req) {
      const span = startRpcSpan(tracer, SpanKind.CLIENT, req, context.active());
      w3cTraceContext.inject(span.context, req.header, headersCarrier);
      let res;
      try {
        res = await context.with(span.context, () => next(req));
      } catch (err) {
        span.end(err);
        throw err;
      }
      if (!res.stream) {
        span.end();
        return res;
      }
      return { ...res, message: tracedStream(res.message, span.context, (error) => span.end(error)) } satisfies StreamResponse;
    };
}
