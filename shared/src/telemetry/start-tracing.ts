import { ProxyTracerProvider, trace, type TracerProvider } from "@opentelemetry/api";
import { defaultResource, detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createSpanExporter } from "./create-span-exporter.js";
import { DeferredSpanExporter } from "./deferred-span-exporter.js";
import { HandOverTracerProvider } from "./hand-over-tracer-provider.js";
import { startSdk, type StartedSdk } from "./start-sdk.js";
import type { OtlpExport } from "./telemetry-config.js";

export interface StartTracingOptions {
  /** `service.name` of every span. Required. */
  serviceName: string;
  /** Where spans go. Required. */
  export: OtlpExport;
  /** Extra resource attributes. Required (may be empty). */
  attributes: Record<string, string>;
  /** Longest `shutdown` waits for the last spans to leave. Required. */
  shutdownTimeoutMs: number;
  /** Told when the SDK or the exporter cannot be loaded (the spans buffered meanwhile are dropped). Required. */
  onError: (error: unknown) => void;
}

/** Spans recorded and exported over OTLP. */
export interface Tracing {
  /** Every span of the function: recorded from the first request on, whatever is loaded yet. */
  readonly tracerProvider: TracerProvider;
  /** Exports what is buffered and stops; never rejects, never waits beyond the timeout. */
  shutdown(): Promise<void>;
}

/**
 * Records spans at once and keeps the OpenTelemetry SDK's heavy modules off the start path.
 * Built synchronously from `@opentelemetry/sdk-trace-base` and `@opentelemetry/resources`: the
 * resource (`attributes`, the env, process and host detectors, `service.name`), a
 * BatchSpanProcessor tuned by OTEL_BSP_* whose exporter is loaded on first use, and a tracer
 * provider with the sampler and limits of the environment. Once the first span has ended (its
 * answer is on its way) `@opentelemetry/sdk-node` and the OTLP exporter are imported: the
 * NodeSDK's provider, with the same resource and batch processor, then starts every new span.
 * So the first request's span is exported with the others, and nothing is lost or duplicated
 * in the hand-over. `shutdown` loads the exporter only if spans are waiting for it.
 *
 * The global tracer provider is this one until the SDK has started, then the SDK's.
 */
export function startTracing({ serviceName, export: target, attributes, shutdownTimeoutMs, onError }: StartTracingOptions): Tracing {
  const resource = defaultResource()
    .merge(resourceFromAttributes(attributes))
    .merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }))
    .merge(resourceFromAttributes({ "service.name": serviceName }));
  let sdk: StartedSdk | undefined;
  const exporter: DeferredSpanExporter = new DeferredSpanExporter(async (): Promise<SpanExporter> => {
    const [spanExporter, started] = await Promise.all([createSpanExporter(target), startSdk({ resource, spanProcessor: batch })]);
    sdk = started;
    provider.handOver(started.tracerProvider);
    return spanExporter;
  });
  const batch: SpanProcessor = new BatchSpanProcessor(exporter);
  let ended = 0;
  // The first ended span loads the rest, after the microtasks that send its answer.
  const loadAfterFirstSpan: SpanProcessor = {
    onStart: () => undefined,
    onEnd() {
      if (ended++ === 0) setImmediate(() => exporter.ready().catch(onError));
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new HandOverTracerProvider(new BasicTracerProvider({ resource, spanProcessors: [batch, loadAfterFirstSpan] }));
  trace.disable();
  trace.setGlobalTracerProvider(provider);

  let stopping: Promise<void> | undefined;
  return {
    tracerProvider: provider,
    shutdown() {
      stopping ??= (async () => {
        const global = trace.getTracerProvider();
        const delegate = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
        if (delegate === provider || (sdk && delegate === sdk.tracerProvider)) trace.disable();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, shutdownTimeoutMs).unref()));
        const flush = async () => {
          if (ended > 0) await exporter.ready().catch(onError);
          await (sdk ? sdk.shutdown() : batch.shutdown());
        };
        await Promise.race([flush().catch(() => undefined), timeout]);
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
