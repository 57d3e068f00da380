import { enumVar, optionalStringVar, readEnv, urlVar, type EnvVar } from "../config/env-var.js";

/** The OTLP encodings `OTEL_EXPORTER_OTLP_PROTOCOL` may name. */
export type OtlpProtocol = "http/protobuf" | "http/json" | "grpc";

/** Where and how spans are exported. */
export interface OtlpExport {
  /** The traces URL: `…/v1/traces` for HTTP, the collector's address for gRPC. */
  readonly url: string;
  readonly protocol: OtlpProtocol;
}

/** What `startTelemetry` reads from the standard OpenTelemetry variables. */
export interface TelemetryConfig {
  /** `service.name`: OTEL_SERVICE_NAME, else K_SERVICE, else the function's name. */
  readonly serviceName: string;
  /** Undefined when nothing is exported: OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none or no endpoint. */
  readonly export: OtlpExport | undefined;
}

const protocols: readonly OtlpProtocol[] = ["http/protobuf", "http/json", "grpc"];

/** Internal: a variable that reads as `undefined` when unset. */
function optional<T>(variable: EnvVar<T>): EnvVar<T | undefined> {
  return { ...variable, defaultValue: undefined, optional: true };
}

/** The variables of the OpenTelemetry specification that decide whether and where spans go. */
export const telemetryEnv = {
  /** "true" turns tracing off entirely. Default false. */
  OTEL_SDK_DISABLED: enumVar("false", ["true", "false"]),
  /** "none" exports nothing; other exporters (console, zipkin) are not offered. Default otlp. */
  OTEL_TRACES_EXPORTER: enumVar("otlp", ["otlp", "none"]),
  /** The collector's base URL; `/v1/traces` is appended for HTTP. Default: none, nothing exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(urlVar(undefined, ["http:", "https:"])),
  /** The full traces URL, used as it is; wins over the base URL. Default: none. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optional(urlVar(undefined, ["http:", "https:"])),
  /** http/protobuf, http/json or grpc. Default http/protobuf. */
  OTEL_EXPORTER_OTLP_PROTOCOL: enumVar<OtlpProtocol>("http/protobuf", protocols),
  /** The same for traces only; wins over the general one. Default: the general one. */
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: optional(enumVar<OtlpProtocol>(undefined, protocols)),
  /** `service.name`. Default K_SERVICE, else the function's name. */
  OTEL_SERVICE_NAME: optionalStringVar(),
  /** Knative's service name, set by Knative Serving. */
  K_SERVICE: optionalStringVar(),
};

/**
 * Reads the telemetry configuration; throws `EnvError` naming each malformed variable, as the
 * runtime does for its own. The signal-specific variables (`…_TRACES_…`) win over the general
 * ones; a general endpoint gets `/v1/traces` appended for HTTP, as the specification says.
 *
 * @example
 * telemetryConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, "identity");
 * // { serviceName: "identity", export: { url: "http://collector:4318/v1/traces", protocol: "http/protobuf" } }
 */
export function telemetryConfigFromEnv(env: NodeJS.ProcessEnv, functionName: string): TelemetryConfig {
  const vars = readEnv(telemetryEnv, env);
  const serviceName = vars.OTEL_SERVICE_NAME ?? vars.K_SERVICE ?? functionName;
  const protocol = vars.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? vars.OTEL_EXPORTER_OTLP_PROTOCOL;
  const base = vars.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url = vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base && protocol !== "grpc" ? tracesUrlOf(base) : base);
  const off = vars.OTEL_SDK_DISABLED === "true" || vars.OTEL_TRACES_EXPORTER === "none" || url === undefined;
  return { serviceName, export: off ? undefined : { url, protocol } };
}

/** Internal: the base endpoint with `v1/traces` appended to its path. */
function tracesUrlOf(base: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1/traces`;
  return url.href;
}
