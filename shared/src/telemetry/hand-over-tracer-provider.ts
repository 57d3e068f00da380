import type { Context, Span, SpanOptions, Tracer, TracerOptions, TracerProvider } from "@opentelemetry/api";

/**
 * A tracer provider that passes every span on to the provider in charge right now, so that the
 * tracers handed out at start keep working when another provider takes over: the runtime
 * records its first spans with a provider it can build at once, and hands over to the
 * OpenTelemetry SDK's once that is loaded (see `startTracing`). Spans already started stay
 * with the provider that started them. Internal to the telemetry folder.
 */
export class HandOverTracerProvider implements TracerProvider {
  #current: TracerProvider;

  constructor(initial: TracerProvider) {
    this.#current = initial;
  }

  /** The provider new spans go to. */
  get current(): TracerProvider {
    return this.#current;
  }

  /** From now on, new spans are started by `provider`. */
  handOver(provider: TracerProvider): void {
    this.#current = provider;
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return new HandOverTracer(this, name, version, options);
  }
}

/** Internal: a tracer asking its provider's current provider for the real tracer, cached until the hand-over. */
class HandOverTracer implements Tracer {
  readonly #owner: HandOverTracerProvider;
  readonly #name: string;
  readonly #version: string | undefined;
  readonly #options: TracerOptions | undefined;
  #from: TracerProvider | undefined;
  #tracer: Tracer | undefined;

  constructor(owner: HandOverTracerProvider, name: string, version: string | undefined, options: TracerOptions | undefined) {
    this.#owner = owner;
    this.#name = name;
    this.#version = version;
    this.#options = options;
  }

  #delegate(): Tracer {
    const current = this.#owner.current;
    if (this.#from !== current || this.#tracer === undefined) {
      this.#from = current;
      this.#tracer = current.getTracer(this.#name, this.#version, this.#options);
    }
    return this.#tracer;
  }

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    return this.#delegate().startSpan(name, options, context);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan(name: string, ...rest: unknown[]): unknown {
    const tracer = this.#delegate();
    return (tracer.startActiveSpan as (name: string, ...rest: unknown[]) => unknown).call(tracer, name, ...rest);
  }
}
