import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runtimeEnv, type EnvVar } from "@kinetic/runtime";
import { parse } from "yaml";
import { kafkaServerProperties } from "../../local-dev/src/kafka/kafka-server-properties.js";
import { telemetryEnv } from "../../shared/src/telemetry/telemetry-config.js";

// local-dev/compose.yaml and its collector config, checked without a Docker engine.
const root = fileURLToPath(new URL("../..", import.meta.url));
const composeText = readFileSync(join(root, "local-dev/compose.yaml"), "utf8");

interface Service {
  image: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
}
const compose = parse(composeText) as { services: Record<string, Service> };
const services = compose.services;
const collector = parse(readFileSync(join(root, "local-dev/otel-collector.yaml"), "utf8")) as {
  receivers: { otlp: { protocols: Record<"grpc" | "http", { endpoint: string }> } };
  extensions: Record<string, { endpoint: string }>;
  service: { extensions: string[]; pipelines: { traces: { receivers: string[]; exporters: string[] } } };
};

/** The host ports a service publishes, by container port. */
function published(name: string): Map<number, number> {
  return new Map(
    (services[name]?.ports ?? []).map((mapping) => {
      const [, host, container] = /^127\.0\.0\.1:(\d+):(\d+)$/.exec(mapping) ?? [];
      assert.ok(host && container, `${name} publishes "${mapping}" on 127.0.0.1 only`);
      return [Number(container), Number(host)];
    }),
  );
}

/** The variables of the header's `… npm run dev` line. */
const documentedEnv = (() => {
  const line = composeText.split("\n").find((l) => l.startsWith("#") && /\bnpm run dev$/.test(l));
  assert.ok(line, "the header shows how to run npm run dev against these services");
  return Object.fromEntries([...line.matchAll(/\b([A-Z][A-Z0-9_]*)=(\S+)/g)].map(([, name, value]) => [name!, value!]));
})();

describe("local-dev/compose.yaml", () => {
  it("should run Postgres, Redis, Kafka and an OpenTelemetry collector from pinned images, on 127.0.0.1", () => {
    assert.deepEqual(Object.keys(services).sort(), ["kafka", "otel-collector", "postgres", "redis"]);
    for (const [name, service] of Object.entries(services)) {
      assert.match(service.image, /^[\w./-]+:\d[\w.-]*$/, `${name}: a version tag, never latest`);
      assert.ok(published(name).size > 0);
    }
    for (const name of ["postgres", "redis", "kafka"]) {
      assert.equal(services[name]?.healthcheck?.test[0], "CMD", `${name} has an exec-form healthcheck`);
    }
  });

  it("should document exactly the variables the runtime reads, with values that reach these services", () => {
    const read: Record<string, EnvVar<unknown>> = { ...runtimeEnv, ...telemetryEnv };
    assert.deepEqual(Object.keys(documentedEnv).sort(), ["DATABASE_URL", "KAFKA_BROKERS", "OTEL_EXPORTER_OTLP_ENDPOINT", "REDIS_URL"]);
    for (const [name, value] of Object.entries(documentedEnv)) {
      assert.ok(read[name], `${name} is read by shared/src/config/runtime-config.ts or telemetry-config.ts`);
      assert.notEqual(read[name].parse(value), undefined, `${name}=${value} is valid`);
    }
    for (const name of ["DATABASE_URL", "REDIS_URL", "KAFKA_BROKERS"] as const) {
      assert.equal(documentedEnv[name], runtimeEnv[name].defaultValue, `${name}: the header says the values are the defaults`);
    }

    const database = new URL(documentedEnv["DATABASE_URL"]!);
    assert.equal(Number(database.port), published("postgres").get(5432));
    assert.equal(database.username, "postgres", "the image's superuser");
    assert.equal(database.password, "");
    assert.equal(services["postgres"]?.environment?.["POSTGRES_HOST_AUTH_METHOD"], "trust");
    assert.equal(Number(new URL(documentedEnv["REDIS_URL"]!).port), published("redis").get(6379));
    const [brokerHost, brokerPort] = documentedEnv["KAFKA_BROKERS"]!.split(":");
    assert.equal(brokerHost, "127.0.0.1");
    assert.equal(Number(brokerPort), published("kafka").get(9092));
    assert.equal(services["kafka"]?.environment?.["KAFKA_ADVERTISED_LISTENERS"], `PLAINTEXT://${documentedEnv["KAFKA_BROKERS"]}`);
    const otlp = new URL(documentedEnv["OTEL_EXPORTER_OTLP_ENDPOINT"]!);
    assert.equal(Number(otlp.port), published("otel-collector").get(4318));
  });

  it("should run the Kafka version the project pins, configured like the tests' broker", () => {
    const pinned = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(join(root, "local-dev/kafka/pom.xml"), "utf8"))?.[1];
    assert.equal(services["kafka"]?.image, `apache/kafka:${pinned}`);
    const environment = services["kafka"]?.environment ?? {};
    const properties = kafkaServerProperties({ host: "localhost", port: 9092, controllerPort: 9093, dataDir: "/unused" });
    // Addresses and directories differ in a container by nature; everything else must match.
    const placeDependent = new Set(["listeners", "advertised.listeners", "controller.quorum.voters", "log.dirs"]);
    for (const line of properties.trim().split("\n")) {
      const [key = "", value] = line.split(/=(.*)/s);
      if (placeDependent.has(key)) continue;
      const variable = `KAFKA_${key.toUpperCase().replace(/\./g, "_")}`;
      assert.equal(String(environment[variable]), value, `${variable} (${key})`);
    }
    assert.equal(environment["KAFKA_CONTROLLER_QUORUM_VOTERS"], "1@localhost:9093");
  });

  it("should give the collector a config that takes OTLP on the published ports and prints traces", () => {
    const service = services["otel-collector"]!;
    const mount = service.volumes?.find((v) => v.startsWith("./otel-collector.yaml:"));
    assert.ok(mount, "the config is mounted");
    assert.ok(existsSync(join(root, "local-dev/otel-collector.yaml")));
    const target = mount.split(":")[1];
    assert.deepEqual(service.command, [`--config=${target}`]);
    const ports = published("otel-collector");
    for (const [protocol, port] of [["http", 4318], ["grpc", 4317]] as const) {
      assert.equal(collector.receivers.otlp.protocols[protocol].endpoint, `0.0.0.0:${port}`, `OTLP/${protocol} on every interface of the container`);
      assert.equal(ports.get(port), port, `OTLP/${protocol} published on its standard port`);
    }
    assert.deepEqual(collector.service.pipelines.traces.receivers, ["otlp"]);
    assert.deepEqual(collector.service.pipelines.traces.exporters, ["debug"]);
    assert.ok(collector.service.extensions.includes("health_check"));
    assert.equal(collector.extensions["health_check"]?.endpoint, "0.0.0.0:13133");
    assert.ok(ports.has(13133), "its health endpoint is reachable from the host");
  });
});
