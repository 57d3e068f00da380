import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

type ExportResult = Parameters<Parameters<SpanExporter["export"]>[1]>[0];

/**
 * A span exporter standing in for one that is not loaded yet: the first export (or `ready()`)
 * loads it, and every export waits for it, so a batch processor can buffer spans from the
 * first request on while the OTLP exporter's modules stay off the start path. A failed load
 * fails the exports (the batch processor drops those spans) and is retried by the next one.
 * Internal to the telemetry folder.
 */
export class DeferredSpanExporter implements SpanExporter {
  readonly #load: () => Promise<SpanExporter>;
  #loading: Promise<SpanExporter> | undefined;

  constructor(load: () => Promise<SpanExporter>) {
    this.#load = load;
  }

  /** Loads the exporter once (again after a failure); resolves it. */
  ready(): Promise<SpanExporter> {
    this.#loading ??= this.#load().catch((error: unknown) => {
      this.#loading = undefined;
      throw error;
    });
    return this.#loading;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.ready().then(
      (exporter) => exporter.export(spans, done),
      // 1: ExportResultCode.FAILED (@opentelemetry/core, not a dependency of its own here).
      (error: unknown) => done({ code: 1, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  /** Shuts the exporter down if it was ever loaded; never loads it. */
  async shutdown(): Promise<void> {
    const exporter = await this.#loading?.catch(() => undefined);
    await exporter?.shutdown();
  }

  async forceFlush(): Promise<void> {
    const exporter = await this.#loading?.catch(() => undefined);
    await exporter?.forceFlush?.();
  }
}
