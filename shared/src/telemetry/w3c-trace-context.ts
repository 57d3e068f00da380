import {
  createTraceState,
  isSpanContextValid,
  trace,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from "@opentelemetry/api";

const traceparentHeader = "traceparent";
const tracestateHeader = "tracestate";
const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * W3C Trace Context (`traceparent`, `tracestate`) propagation, written here rather than taken
 * from `@opentelemetry/core`, whose import alone costs ~40 ms of cold start: with no SDK this
 * and the context manager are all the runtime loads to carry an incoming trace through a
 * function. Malformed headers are ignored, as the W3C recommendation says.
 *
 * @example
 * const parent = w3cTraceContext.extract(ROOT_CONTEXT, req.header, headersCarrier);
 */
export class W3CTraceContext implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (!span || !isSpanContextValid(span)) return;
    const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
    setter.set(carrier, traceparentHeader, `00-${span.traceId}-${span.spanId}-${flags}`);
    const state = span.traceState?.serialize();
    if (state) setter.set(carrier, tracestateHeader, state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const span = parseTraceparent(single(getter.get(carrier, traceparentHeader)));
    if (!span) return context;
    const state = single(getter.get(carrier, tracestateHeader));
    if (state) span.traceState = createTraceState(state);
    return trace.setSpanContext(context, span);
  }

  fields(): string[] {
    return [traceparentHeader, tracestateHeader];
  }
}

/** The propagator instance the runtime uses (stateless, so one is enough). */
export const w3cTraceContext = new W3CTraceContext();

/** Internal: a valid remote span context from a `traceparent` value, or undefined. */
function parseTraceparent(value: string | undefined): SpanContext | undefined {
  const match = value === undefined ? null : traceparentPattern.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  // Version ff is forbidden; version 00 has exactly four fields; later versions may add more.
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  const span: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
  return isSpanContextValid(span) ? span : undefined;
}

/** Internal: a header that arrived more than once is malformed. */
function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}
