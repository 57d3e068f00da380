import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createCrdValidator } from "./crd-validator.js";
import type { ServiceObject } from "./knative-serving-objects.js";
import { serviceAdmissionProblems } from "./service-admission-problems.js";
import { servingManifests } from "./serving-manifests.js";

const crdDir = fileURLToPath(new URL("crds/", import.meta.url));
const validator = createCrdValidator(readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(join(crdDir, f), "utf8")));
const generated = servingManifests(
  [{ name: "identity", description: "users", visibility: "cluster-local", scaling: { minScale: 0, maxScale: 10, target: 100, containerConcurrency: 0 }, migrations: new URL("file:///m/") }],
  { kafkaBrokers: ["kafka:9092"], eventsTopic: "knative-broker-default-kinetic" },
)[1] as ServiceObject;

/** A copy of the generated Service, changed by `edit` (plain JSON: free to mutate). */
function serviceWith(edit: (service: any) => void): unknown {
  const copy = structuredClone(generated) as any;
  edit(copy);
  return copy;
}
const container = (service: any) => service.spec.template.spec.containers[0];
const annotations = (service: any) => service.spec.template.metadata.annotations;

describe("serviceAdmissionProblems", () => {
  it("should admit the generated Service", () => {
    assert.deepEqual(serviceAdmissionProblems(generated), []);
    assert.deepEqual(validator.validate(generated), []);
  });

  it("should reject a port name Knative does not negotiate, a reserved port and a second port", () => {
    assert.deepEqual(validator.validate(serviceWith((s) => (container(s).ports = [{ name: "grpc", containerPort: 8080 }]))), [
      'Service identity: spec.template.spec.containers[0].ports[0].name "grpc" is not allowed: Knative accepts h2c, http1 or none',
    ]);
    assert.match(serviceAdmissionProblems(serviceWith((s) => (container(s).ports = [{ name: "h2c", containerPort: 8012 }]))).join(), /8012 is reserved/);
    const twoPorts = serviceWith((s) => container(s).ports.push({ name: "http1", containerPort: 9000 }));
    assert.match(serviceAdmissionProblems(twoPorts).join(), /only one container port is allowed, found 2/);
  });

  it("should reject a missing or malformed image", () => {
    assert.deepEqual(validator.validate(serviceWith((s) => delete container(s).image)), ["Service identity: spec.template.spec.containers[0].image is required"]);
    assert.match(serviceAdmissionProblems(serviceWith((s) => (container(s).image = "Kinetic/Identity:latest"))).join(), /is not an image reference/);
    for (const image of ["kinetic/identity", "registry.example.com:5000/kinetic/identity:0.1.0", `ghcr.io/a/b@sha256:${"a".repeat(64)}`]) {
      assert.deepEqual(serviceAdmissionProblems(serviceWith((s) => (container(s).image = image))), [], image);
    }
  });

  it("should reject a probe on another port and readiness fields Knative's aggressive probing disallows", () => {
    assert.match(serviceAdmissionProblems(serviceWith((s) => (container(s).livenessProbe.httpGet.port = 9000))).join(), /livenessProbe port 9000 must be omitted or the container port \(h2c\)/);
    assert.match(serviceAdmissionProblems(serviceWith((s) => (container(s).readinessProbe.httpGet.port = "http1"))).join(), /readinessProbe port http1/);
    assert.deepEqual(serviceAdmissionProblems(serviceWith((s) => (container(s).readinessProbe.httpGet.port = "h2c"))), []);
    assert.deepEqual(serviceAdmissionProblems(serviceWith((s) => (container(s).readinessProbe.httpGet.port = 8080))), []);
    assert.match(serviceAdmissionProblems(serviceWith((s) => (container(s).readinessProbe.failureThreshold = 3))).join(), /disallowed when periodSeconds is zero/);
  });

  it("should reject variables Knative sets, a pod security context and out-of-range concurrency and timeouts", () => {
    const problems = serviceAdmissionProblems(
      serviceWith((s) => {
        container(s).env.push({ name: "PORT", value: "9000" });
        s.spec.template.spec.securityContext = { runAsNonRoot: true };
        s.spec.template.spec.containerConcurrency = 5000;
        s.spec.template.spec.timeoutSeconds = 3600;
      }),
    );
    assert.equal(problems.length, 4, problems.join("\n"));
    assert.match(problems.join("\n"), /env\[3\].name PORT is set by Knative/);
    assert.match(problems.join("\n"), /kubernetes.podspec-securitycontext/);
    assert.match(problems.join("\n"), /containerConcurrency 5000 must be from 0 to 1000/);
    assert.match(problems.join("\n"), /timeoutSeconds 3600 must be from 0 to max-revision-timeout-seconds \(600\)/);
  });

  it("should reject autoscaling annotations the autoscaler would refuse", () => {
    const problems = serviceAdmissionProblems(
      serviceWith((s) => {
        annotations(s)["autoscaling.knative.dev/min-scale"] = "20";
        annotations(s)["autoscaling.knative.dev/window"] = "2s";
        annotations(s)["autoscaling.knative.dev/metric"] = "cpu";
        annotations(s)["autoscaling.knative.dev/target"] = "0";
      }),
    );
    assert.equal(problems.length, 4, problems.join("\n"));
    assert.match(problems.join("\n"), /min-scale 20 exceeds autoscaling.knative.dev\/max-scale 10/);
    assert.match(problems.join("\n"), /window "2s" must be a duration from 6s to 1h/);
    assert.match(problems.join("\n"), /metric "cpu" must be concurrency or rps/);
    assert.match(problems.join("\n"), /target "0" must be a number of at least 0.01/);
    assert.deepEqual(serviceAdmissionProblems(serviceWith((s) => (annotations(s)["autoscaling.knative.dev/window"] = "1m30s"))), []);
  });

  it("should reject a visibility label Knative does not know", () => {
    assert.match(serviceAdmissionProblems(serviceWith((s) => (s.metadata.labels["networking.knative.dev/visibility"] = "private"))).join(), /must be "cluster-local"/);
  });

  it("should leave type errors and unknown fields to the schema", () => {
    assert.deepEqual(validator.validate(serviceWith((s) => (s.spec.template.spec.containerConcurrency = "10"))), [
      "Service identity: spec.template.spec.containerConcurrency must be integer",
    ]);
    assert.deepEqual(validator.validate(serviceWith((s) => (container(s).readinesProbe = container(s).readinessProbe))), [
      "Service identity: spec.template.spec.containers[0].readinesProbe is not declared by the schema",
    ]);
  });
});
