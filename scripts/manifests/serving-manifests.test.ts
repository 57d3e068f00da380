import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createCrdValidator } from "./crd-validator.js";
import type { ServiceObject } from "./knative-serving-objects.js";
import type { ServingDeclaration } from "./service-from-declaration.js";
import { servingManifests, type ServingManifestsOptions } from "./serving-manifests.js";
import { revisionTimeoutProblems } from "./revision-timeouts.js";

const crdDir = fileURLToPath(new URL("crds/", import.meta.url));
const validator = createCrdValidator(readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(join(crdDir, f), "utf8")));
const options: ServingManifestsOptions = { kafkaBrokers: ["kafka-a:9092", "kafka-b:9092"], eventsTopic: "knative-broker-default-kinetic" };
const scaling = { minScale: 0, maxScale: 10, target: 100, containerConcurrency: 0 };
const declaration = (init: Partial<ServingDeclaration> = {}): ServingDeclaration => ({
  name: "identity",
  description: "users and their credentials",
  visibility: "cluster-local",
  scaling,
  migrations: new URL("file:///migrations/"),
  ...init,
});
const servicesOf = (declarations: ServingDeclaration[], opts: Partial<ServingManifestsOptions> = {}) =>
  servingManifests(declarations, { ...options, ...opts }).filter((o): o is ServiceObject => o.kind === "Service");

describe("servingManifests", () => {
  it("should make the platform ConfigMap first: Kafka, the broker's topic, log level, provisioned database roles", () => {
    const [config] = servingManifests([], { ...options, namespace: "kinetic", logLevel: "warn" });
    assert.deepEqual(config, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kinetic-platform", namespace: "kinetic", labels: { "app.kubernetes.io/part-of": "kinetic", "app.kubernetes.io/managed-by": "kinetic-manifests" } },
      data: { DATABASE_PROVISION: "off", KAFKA_BROKERS: "kafka-a:9092,kafka-b:9092", KINETIC_EVENTS_TOPIC: "knative-broker-default-kinetic", LOG_LEVEL: "warn" },
    });
  });

  it("should make a Knative Service from the declaration: h2c port, probes, autoscaling, references and no literal secrets", () => {
    const [service] = servicesOf([declaration({ scaling: { minScale: 1, maxScale: 5, target: 20, containerConcurrency: 50, windowSeconds: 120 }, redis: true })]);
    assert.deepEqual(service, {
      apiVersion: "serving.knative.dev/v1",
      kind: "Service",
      metadata: {
        name: "identity",
        namespace: "default",
        labels: {
          "app.kubernetes.io/name": "identity",
          "app.kubernetes.io/part-of": "kinetic",
          "app.kubernetes.io/managed-by": "kinetic-manifests",
          "kinetic.dev/function": "identity",
          "networking.knative.dev/visibility": "cluster-local",
        },
        annotations: { "kinetic.dev/description": "users and their credentials" },
      },
      spec: {
        template: {
          metadata: {
            labels: { "app.kubernetes.io/name": "identity", "app.kubernetes.io/part-of": "kinetic", "kinetic.dev/function": "identity" },
            annotations: {
              "autoscaling.knative.dev/class": "kpa.autoscaling.knative.dev",
              "autoscaling.knative.dev/metric": "concurrency",
              "autoscaling.knative.dev/target": "20",
              "autoscaling.knative.dev/min-scale": "1",
              "autoscaling.knative.dev/max-scale": "5",
              "autoscaling.knative.dev/window": "120s",
            },
          },
          spec: {
            containerConcurrency: 50,
            timeoutSeconds: 310,
            responseStartTimeoutSeconds: 310,
            idleTimeoutSeconds: 0,
            enableServiceLinks: false,
            containers: [
              {
                name: "identity",
                image: "kinetic/identity",
                ports: [{ name: "h2c", containerPort: 8080 }],
                envFrom: [
                  { configMapRef: { name: "kinetic-platform" } },
                  { configMapRef: { name: "kinetic-identity", optional: true } },
                  { secretRef: { name: "kinetic-identity", optional: true } },
                ],
                env: [
                  { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "kinetic-identity", key: "DATABASE_URL" } } },
                  { name: "REDIS_URL", valueFrom: { secretKeyRef: { name: "kinetic-identity", key: "REDIS_URL" } } },
                  { name: "KINETIC_MAX_TIMEOUT_MS", value: "300000" },
                  { name: "KINETIC_DRAIN_TIMEOUT_MS", value: "25000" },
                ],
                readinessProbe: { httpGet: { path: "/readyz" } },
                livenessProbe: { httpGet: { path: "/healthz" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 },
                resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 1000,
                  runAsGroup: 1000,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                  seccompProfile: { type: "RuntimeDefault" },
                },
              },
            ],
          },
        },
      },
    });
  });

  it("should leave a public function reachable and the window to the cluster unless declared", () => {
    const [service] = servicesOf([declaration({ visibility: "public" })]);
    assert.equal(service?.metadata.labels?.["networking.knative.dev/visibility"], undefined);
    assert.equal(service?.spec.template.metadata.annotations["autoscaling.knative.dev/window"], undefined);
    assert.equal(service?.spec.template.metadata.annotations["autoscaling.knative.dev/min-scale"], "0");
  });

  it("should require only the Secret keys a function reads: none without migrations or redis", () => {
    const [service] = servicesOf([declaration({ migrations: undefined })]);
    const env = service!.spec.template.spec.containers[0].env;
    assert.deepEqual(env.map((e) => e.name), ["KINETIC_MAX_TIMEOUT_MS", "KINETIC_DRAIN_TIMEOUT_MS"]);
    assert.ok(env.every((e) => "value" in e && !/postgres|redis:/.test(e.value)), "no literal connection strings");
  });

  it("should pin the runtime's bounds beside Revision timeouts that satisfy them", () => {
    const runtime = { maxRequestMs: 60_000, drainMs: 40_000 };
    const [service] = servicesOf([declaration()], { runtime });
    const { spec } = service!.spec.template;
    assert.deepEqual(spec.containers[0].env.filter((e) => e.name.startsWith("KINETIC_")), [
      { name: "KINETIC_MAX_TIMEOUT_MS", value: "60000" },
      { name: "KINETIC_DRAIN_TIMEOUT_MS", value: "40000" },
    ]);
    assert.equal(spec.timeoutSeconds, 85, "30 s queue-proxy drain + 40 s drain + 15 s shutdown outlast a 70 s call");
    assert.deepEqual(revisionTimeoutProblems(spec, runtime), []);
  });

  it("should reject runtime bounds the cluster's revision timeout cannot cover", () => {
    assert.throws(() => servicesOf([declaration()], { runtime: { maxRequestMs: 3_600_000, drainMs: 25_000 } }), /exceeds max-revision-timeout-seconds 600/);
    assert.equal(servicesOf([declaration()], { runtime: { maxRequestMs: 3_600_000, drainMs: 25_000 }, maxRevisionTimeoutSeconds: 3610 })[0]?.spec.template.spec.timeoutSeconds, 3610);
  });

  it("should reject a target above the concurrency limit, which Knative would silently lower", () => {
    assert.throws(
      () => servicesOf([declaration({ scaling: { ...scaling, containerConcurrency: 10 } })]),
      /function "identity": scaling.target 100 exceeds containerConcurrency 10/,
    );
  });

  it("should order Services by name, use the image prefix and namespace, and produce only admissible objects", () => {
    const objects = servingManifests(
      [declaration({ name: "mailer", redis: true }), declaration({ name: "audit", visibility: "public", scaling: { ...scaling, windowSeconds: 6 } })],
      { ...options, namespace: "kinetic-prod", imagePrefix: "registry.example.com/kinetic" },
    );
    const services = objects.filter((o): o is ServiceObject => o.kind === "Service");
    assert.deepEqual(services.map((s) => s.spec.template.spec.containers[0].image), ["registry.example.com/kinetic/audit", "registry.example.com/kinetic/mailer"]);
    assert.ok(objects.every((o) => o.metadata.namespace === "kinetic-prod"));
    for (const object of objects) assert.deepEqual(validator.validate(object), [], `${object.kind} ${object.metadata.name}`);
  });
});
