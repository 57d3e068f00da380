import { ProxyTracerProvider, trace, type ContextManager, type TracerProvider } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";

export interface StartSdkOptions {
  /** The resource of every span, detected already: the SDK detects nothing more. Required. */
  resource: Resource;
  /** Where ended spans go: the batch processor in front of the OTLP exporter. Required. */
  spanProcessor: SpanProcessor;
}

/** A started OpenTelemetry Node SDK, traces only. */
export interface StartedSdk {
  /** This SDK's own provider: tracers taken from it never change when another SDK starts. */
  readonly tracerProvider: TracerProvider;
  /** Ends its provider and `spanProcessor` (which exports what it holds). */
  shutdown(): Promise<void>;
}

/**
 * Imports and starts `@opentelemetry/sdk-node` (its modules take ~200 ms to import from
 * node_modules, ~30 ms from a bundle, hence only once tracing is on and off the start path) for
 * traces only: a tracer provider with `resource`, `spanProcessor`, and the sampler and span
 * limits of OTEL_TRACES_SAMPLER(_ARG) and OTEL_SPAN_*. No instrumentations, metrics or log
 * exporters, and it leaves the context manager and propagator registered by
 * `registerTelemetryGlobals` alone. NodeSDK installs no signal handlers (only the
 * auto-instrumentations' `register` entry does); the runtime calls `shutdown` after its drain.
 *
 * Global tracer provider: the latest started SDK's, for code calling `trace.getTracer()`;
 * the runtime itself only uses `tracerProvider`, so several SDKs in one process (tests) work.
 */
export async function startSdk({ resource, spanProcessor }: StartSdkOptions): Promise<StartedSdk> {
  const { NodeSDK } = await import("@opentelemetry/sdk-node");
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors: [spanProcessor],
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
    textMapPropagator: null,
    // NodeSDK treats null as "keep the registered one"; its type omits it.
    contextManager: null as unknown as ContextManager,
  });
  // Registering fails while another provider is global; this one takes over (see above).
  trace.disable();
  sdk.start();
  const global = trace.getTracerProvider();
  const tracerProvider = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
  return { tracerProvider, shutdown: () => sdk.shutdown() };
}
