import { ROOT_CONTEXT, context, trace, type Span, type Tracer } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { registerTelemetryGlobals } from "../telemetry/register-telemetry-globals.js";

/** A tracer whose finished spans are kept in memory. Test-only. */
export interface TestTracer {
  readonly tracer: Tracer;
  /** Spans ended so far. */
  spans(): ReadableSpan[];
  /** Runs `fn` inside a fresh root span (ended afterwards), as a handler runs inside its RPC's span. */
  inSpan<T>(fn: (span: Span) => Promise<T>): Promise<T>;
}

/**
 * Creates a recording tracer for unit tests of the instrumentation, with the runtime's context
 * manager registered. Test-only (it belongs with the other helpers in `testing/`).
 *
 * @example
 * const { tracer, spans, inSpan } = createTestTracer();
 * await inSpan(() => instrumentSql(tracer, sql)`select 1`);
 */
export function createTestTracer(): TestTracer {
  registerTelemetryGlobals();
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("test");
  return {
    tracer,
    spans: () => exporter.getFinishedSpans(),
    async inSpan(fn) {
      const span = tracer.startSpan("test", {}, ROOT_CONTEXT);
      try {
        return await context.with(trace.setSpan(ROOT_CONTEXT, span), () => fn(span));
      } finally {
        span.end();
      }
    },
  };
}
