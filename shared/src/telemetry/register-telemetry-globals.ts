import { context, propagation } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { w3cTraceContext } from "./w3c-trace-context.js";

let registered = false;

/**
 * Registers, once per process, the two process-wide pieces every `Telemetry` shares: an
 * AsyncLocalStorage context manager (so the active span follows a request through awaits,
 * streams and client calls) and W3C Trace Context as the global propagator, for code that
 * uses `@opentelemetry/api` directly. Tracer providers are never global state here: each
 * `Telemetry` keeps its own. When another library registered a context manager first, that
 * one is kept.
 */
export function registerTelemetryGlobals(): void {
  if (registered) return;
  registered = true;
  const manager = new AsyncLocalStorageContextManager();
  if (!context.setGlobalContextManager(manager.enable())) manager.disable();
  propagation.setGlobalPropagator(w3cTraceContext);
}
