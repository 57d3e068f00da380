import type { Interceptor, StreamResponse } from "@connectrpc/connect";
import { ROOT_CONTEXT, SpanKind, context, type Context, type Tracer } from "@opentelemetry/api";
import { headersCarrier } from "./headers-carrier.js";
import { startRpcSpan } from "./rpc-span.js";
import { tracedStream } from "./traced-stream.js";
import { w3cTraceContext } from "./w3c-trace-context.js";

export interface ServerSpanOptions {
  /**
   * False when `tracer` never records (no SDK): a call without a caller's trace then runs with
   * no span at all, as it would with a span that records nothing. Default true.
   */
  records?: boolean;
}

/**
 * Connect server interceptor: continues the caller's trace from `traceparent`/`tracestate`
 * (or starts one), opens a SERVER span per RPC and runs the handler, its response stream
 * included, inside that span's context, so its logs, queries and client calls are children.
 * A streamed response's span ends when the stream ends, fails, or the call is cancelled.
 * Put it first in the server's interceptors so it sees every outcome, validation included.
 *
 * With no SDK the tracer records nothing, but the incoming trace id still becomes active.
 */
export function createServerSpanInterceptor(tracer: Tracer, options: ServerSpanOptions = {}): Interceptor {
  const records = options.records ?? true;
  return (next) => {
    // Not an async function: a call with nothing to trace costs no promise of its own here.
    function traceServerCall(req: Parameters<typeof next>[0]): ReturnType<typeof next> {
      // The caller's headers alone decide the parent, never whatever context the server runs in.
      const parent = w3cTraceContext.extract(ROOT_CONTEXT, req.header, headersCarrier);
      // No span can record and no caller's trace to carry: nothing to start, as below.
      if (!records && parent === ROOT_CONTEXT && context.active() === ROOT_CONTEXT) {
        try {
          return next(req);
        } catch (err) {
          return Promise.reject(err);
        }
      }
      return traced(req, parent);
    }
    async function traced(req: Parameters<typeof next>[0], parent: Context): ReturnType<typeof next> {
      const span = startRpcSpan(tracer, SpanKind.SERVER, req, parent);
      let res;
      try {
        // A span that records nothing, no caller's trace, and no context around the server: the
        // handler would run in a context holding only an invalid span, as good as none, so it
        // runs as it is (an AsyncLocalStorage run and a context copy less per call).
        const nothingToCarry = !span.recording && parent === ROOT_CONTEXT && context.active() === ROOT_CONTEXT;
        res = await (nothingToCarry ? next(req) : context.with(span.context, next, undefined, req));
      } catch (err) {
        span.end(err);
        throw err;
      }
      if (!res.stream) {
        span.end();
        return res;
      }
      const onAbort = () => span.end(req.signal.reason);
      req.signal.addEventListener("abort", onAbort, { once: true });
      const end = (error?: unknown) => {
        req.signal.removeEventListener("abort", onAbort);
        span.end(error);
      };
      return { ...res, message: tracedStream(res.message, span.context, end) } satisfies StreamResponse;
    }
    return traceServerCall;
  };
}
