import type { Interceptor } from "@connectrpc/connect";
import { ProxyTracerProvider } from "@opentelemetry/api";
import type { Redis } from "ioredis";
import type { Sql } from "postgres";
import { createClientSpanInterceptor } from "./create-client-span-interceptor.js";
import { createServerSpanInterceptor } from "./create-server-span-interceptor.js";
import { currentTraceIds, type TraceIds } from "./current-trace-ids.js";
import { instrumentRedis } from "./instrument-redis.js";
import { instrumentSql } from "./instrument-sql.js";
import { registerTelemetryGlobals } from "./register-telemetry-globals.js";
import { telemetryConfigFromEnv } from "./telemetry-config.js";

/** Tracing for one function: what the runtime plugs into its server, clients and drivers. */
export interface Telemetry {
  /** Connect server interceptor: a SERVER span per RPC, continuing the caller's `traceparent`; put it first. */
  readonly serverInterceptor: Interceptor;
  /** Connect client interceptor: a CLIENT span per call, `traceparent`/`tracestate` sent along. */
  readonly clientInterceptor: Interceptor;
  /** `sql` with a span per query executed; same type, helpers, transactions and reserved connections included. */
  instrumentSql<T extends Sql<any>>(sql: T): T;
  /** Adds a span per command to `client` (command names only, never arguments). */
  instrumentRedis(client: Redis): void;
  /** The active span's ids for log lines, or undefined outside any trace. */
  currentIds(): TraceIds | undefined;
  /** Exports the last spans and stops the SDK; call it after the drain. Never rejects. */
  shutdown(): Promise<void>;
}

export interface StartTelemetryOptions {
  /** The function's name: `service.name` unless OTEL_SERVICE_NAME or K_SERVICE is set. Required. */
  serviceName: string;
  /**
   * Where OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and
   * _PROTOCOL, OTEL_SERVICE_NAME and K_SERVICE are read. The SDK reads its other settings
   * (OTEL_TRACES_SAMPLER, OTEL_BSP_*, OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES…)
   * from `process.env` itself. Default `process.env`.
   */
  env?: NodeJS.ProcessEnv | undefined;
  /** Extra resource attributes, such as `service.version` from K_REVISION. Default none. */
  attributes?: Record<string, string> | undefined;
  /** Longest `shutdown` waits for buffered spans to be exported. Default 5000. */
  shutdownTimeoutMs?: number | undefined;
  /** Told when the SDK or the OTLP exporter, loaded after start, cannot be. Default: a line on stderr. */
  onError?: ((error: unknown) => void) | undefined;
}

const tracerName = "@kinetic/runtime";

/**
 * Starts tracing the way the environment asks. Without an endpoint (or with
 * OTEL_SDK_DISABLED=true) the SDK is never imported: only the context manager and W3C
 * propagation are installed, so a caller's trace id still reaches logs and outgoing calls at
 * no export cost. With one, spans are recorded from the first request on and exported over
 * OTLP by the OpenTelemetry Node SDK, which is imported once the first span has ended, off the
 * start path (see `startTracing`). Nothing is auto-instrumented and no signal handler is
 * installed. Throws `EnvError` when an OTEL_* variable it reads is malformed. Several may run
 * in one process (tests): each keeps its own tracer provider.
 *
 * @example
 * const telemetry = await startTelemetry({ serviceName: fn.name, attributes: { "service.version": config.K_REVISION ?? "dev" } });
 * const sql = telemetry.instrumentSql(postgres(config.DATABASE_URL));
 * // after the drain
 * await telemetry.shutdown();
 */
export async function startTelemetry({
  serviceName,
  env = process.env,
  attributes = {},
  shutdownTimeoutMs = 5000,
  onError = (error) => process.stderr.write(`tracing: cannot load the OpenTelemetry SDK or exporter: ${String(error)}\n`),
}: StartTelemetryOptions): Promise<Telemetry> {
  const config = telemetryConfigFromEnv(env, serviceName);
  registerTelemetryGlobals();
  const tracing = config.export
    ? (await import("./start-tracing.js")).startTracing({ serviceName: config.serviceName, export: config.export, attributes, shutdownTimeoutMs, onError })
    : undefined;
  // With no SDK, a provider with no delegate: its spans record nothing and carry the parent's ids.
  const tracer = (tracing?.tracerProvider ?? new ProxyTracerProvider()).getTracer(tracerName);
  return {
    serverInterceptor: createServerSpanInterceptor(tracer, { records: tracing !== undefined }),
    clientInterceptor: createClientSpanInterceptor(tracer),
    instrumentSql: (sql) => instrumentSql(tracer, sql),
    instrumentRedis: (client) => instrumentRedis(tracer, client),
    currentIds: currentTraceIds,
    shutdown: () => tracing?.shutdown() ?? Promise.resolve(),
  };
}
