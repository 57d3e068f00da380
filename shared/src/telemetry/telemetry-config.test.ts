import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EnvError } from "../config/env-var.js";
import { telemetryConfigFromEnv } from "./telemetry-config.js";

describe("telemetryConfigFromEnv", () => {
  it("should export nothing when no endpoint is set", () => {
    assert.deepEqual(telemetryConfigFromEnv({}, "identity"), { serviceName: "identity", export: undefined });
  });

  it("should append /v1/traces to the general endpoint and default to http/protobuf", () => {
    const config = telemetryConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/otlp/" }, "identity");
    assert.deepEqual(config.export, { url: "http://collector:4318/otlp/v1/traces", protocol: "http/protobuf" });
  });

  it("should use the traces endpoint and protocol as given, over the general ones", () => {
    const config = telemetryConfigFromEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example/custom",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      },
      "identity",
    );
    assert.deepEqual(config.export, { url: "https://traces.example/custom", protocol: "http/json" });
  });

  it("should use a gRPC endpoint as it is", () => {
    const config = telemetryConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, "x");
    assert.deepEqual(config.export, { url: "http://collector:4317", protocol: "grpc" });
  });

  it("should export nothing when the SDK is disabled or the exporter is none", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };
    assert.equal(telemetryConfigFromEnv({ ...endpoint, OTEL_SDK_DISABLED: "TRUE" }, "x").export, undefined);
    assert.equal(telemetryConfigFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: "none" }, "x").export, undefined);
    assert.notEqual(telemetryConfigFromEnv({ ...endpoint, OTEL_SDK_DISABLED: "false" }, "x").export, undefined);
  });

  it("should name the service from OTEL_SERVICE_NAME, then K_SERVICE, then the function", () => {
    assert.equal(telemetryConfigFromEnv({ OTEL_SERVICE_NAME: "a", K_SERVICE: "b" }, "c").serviceName, "a");
    assert.equal(telemetryConfigFromEnv({ K_SERVICE: "b" }, "c").serviceName, "b");
    assert.equal(telemetryConfigFromEnv({}, "c").serviceName, "c");
  });

  it("should reject malformed variables, naming each", () => {
    assert.throws(
      () => telemetryConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318", OTEL_EXPORTER_OTLP_PROTOCOL: "http/xml" }, "x"),
      (err: unknown) =>
        err instanceof EnvError &&
        err.problems.some((p) => p.startsWith("OTEL_EXPORTER_OTLP_ENDPOINT must be")) &&
        err.problems.some((p) => p.startsWith("OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json, grpc")),
    );
  });
});
