import { ProxyTracerProvider, trace, type ContextManager, type TracerProvider } from "@opentelemetry/api";
import { createSpanExporter } from "./create-span-exporter.js";
import type { OtlpExport } from "./telemetry-config.js";

export interface StartSdkOptions {
  /** `service.name` of every span. Required. */
  serviceName: string;
  /** Where spans go. Required. */
  export: OtlpExport;
  /** Extra resource attributes. Required (may be empty). */
  attributes: Record<string, string>;
  /** Longest `shutdown` waits for the last spans to leave. Required. */
  shutdownTimeoutMs: number;
}

/** A started OpenTelemetry Node SDK, traces only. */
export interface StartedSdk {
  /** This SDK's own provider: tracers taken from it never change when another SDK starts. */
  readonly tracerProvider: TracerProvider;
  /** Exports what is buffered and stops; never rejects, never waits beyond the timeout. */
  shutdown(): Promise<void>;
}

/**
 * Imports and starts `@opentelemetry/sdk-node` (~230 ms of imports, hence only when an endpoint
 * is configured) for traces only: the OTLP exporter, a BatchSpanProcessor tuned by OTEL_BSP_*,
 * the sampler of OTEL_TRACES_SAMPLER(_ARG), resource detectors (env, process, host) plus
 * `service.name` and `attributes`. No instrumentations, metrics or log exporters, and it
 * leaves the context manager and propagator registered by `registerTelemetryGlobals` alone.
 * NodeSDK installs no signal handlers (only the auto-instrumentations' `register` entry does);
 * the runtime calls `shutdown` after its drain.
 *
 * Global tracer provider: the latest started SDK's, for code calling `trace.getTracer()`;
 * the runtime itself only uses `tracerProvider`, so several SDKs in one process (tests) work.
 */
export async function startSdk(options: StartSdkOptions): Promise<StartedSdk> {
  const [{ NodeSDK, resources }, traceExporter] = await Promise.all([import("@opentelemetry/sdk-node"), createSpanExporter(options.export)]);
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    resource: resources.defaultResource().merge(resources.resourceFromAttributes(options.attributes)),
    traceExporter,
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
  let stopping: Promise<void> | undefined;
  return {
    tracerProvider,
    shutdown() {
      stopping ??= (async () => {
        const current = trace.getTracerProvider();
        if (current instanceof ProxyTracerProvider && current.getDelegate() === tracerProvider) trace.disable();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.shutdownTimeoutMs).unref()));
        await Promise.race([sdk.shutdown().catch(() => undefined), timeout]);
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
