import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { OtlpExport } from "./telemetry-config.js";

/**
 * Creates the OTLP trace exporter for the configured protocol, importing only that exporter:
 * `http/protobuf` (the specification's default), `http/json` or `grpc`. The URL comes from
 * the configuration; headers, timeout, compression and certificates the exporter still reads
 * itself from the standard `OTEL_EXPORTER_OTLP_*` variables of `process.env`.
 */
export async function createSpanExporter({ url, protocol }: OtlpExport): Promise<SpanExporter> {
  switch (protocol) {
    case "http/json": {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
      return new OTLPTraceExporter({ url });
    }
    case "http/protobuf": {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
      return new OTLPTraceExporter({ url });
    }
    case "grpc": {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-grpc");
      return new OTLPTraceExporter({ url });
    }
  }
}
