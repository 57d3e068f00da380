import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { headersCarrier } from "./headers-carrier.js";
import { w3cTraceContext } from "./w3c-trace-context.js";

const traceId = "0af7651916cd43dd8448eb211c80319c";
const spanId = "b7ad6b7169203331";

function extract(headers: Record<string, string>) {
  return trace.getSpanContext(w3cTraceContext.extract(ROOT_CONTEXT, new Headers(headers), headersCarrier));
}

describe("W3CTraceContext", () => {
  it("should extract a valid traceparent and tracestate as a remote parent", () => {
    const span = extract({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7" });
    assert.equal(span?.traceId, traceId);
    assert.equal(span?.spanId, spanId);
    assert.equal(span?.traceFlags, TraceFlags.SAMPLED);
    assert.equal(span?.isRemote, true);
    assert.equal(span?.traceState?.get("rojo"), "00f067aa0ba902b7");
  });

  it("should ignore malformed traceparent values", () => {
    const invalid = [
      `00-${traceId}-${spanId}-01-extra`, // version 00 has exactly four fields
      `ff-${traceId}-${spanId}-01`, // forbidden version
      `00-${"0".repeat(32)}-${spanId}-01`, // zero trace id
      `00-${traceId}-${"0".repeat(16)}-01`, // zero span id
      `00-${traceId.toUpperCase()}-${spanId}-01`, // upper-case hex
      `00-${traceId}-${spanId}`,
      `00-${traceId}-${spanId}-01, 00-${traceId}-${spanId}-01`, // sent twice
    ];
    for (const traceparent of invalid) assert.equal(extract({ traceparent }), undefined, traceparent);
  });

  it("should accept a later version with more fields", () => {
    assert.equal(extract({ traceparent: `01-${traceId}-${spanId}-01-future` })?.traceId, traceId);
  });

  it("should inject the active span context with its flags and state", () => {
    const incoming = new Headers({ traceparent: `00-${traceId}-${spanId}-00`, tracestate: "a=1" });
    const ctx = w3cTraceContext.extract(ROOT_CONTEXT, incoming, headersCarrier);
    const outgoing = new Headers();
    w3cTraceContext.inject(ctx, outgoing, headersCarrier);
    assert.equal(outgoing.get("traceparent"), `00-${traceId}-${spanId}-00`);
    assert.equal(outgoing.get("tracestate"), "a=1");
  });

  it("should inject nothing outside a trace", () => {
    const outgoing = new Headers();
    w3cTraceContext.inject(ROOT_CONTEXT, outgoing, headersCarrier);
    assert.deepEqual([...outgoing.keys()], []);
  });
});
