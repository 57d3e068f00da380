import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createCrdValidator } from "./crd-validator.js";
import { eventingManifests } from "./eventing-manifests.js";

const crdDir = fileURLToPath(new URL("crds/", import.meta.url));
const crdFiles = readdirSync(crdDir).filter((f) => f.endsWith(".yaml"));
const validator = createCrdValidator(crdFiles.map((f) => readFileSync(join(crdDir, f), "utf8")));

/** The git blob hashes of the upstream files (shared/knative-crds/README.md). */
const upstreamBlobs: Record<string, string> = {
  "eventing-broker.yaml": "c8e3eea5f392bf6d7ac67ce02a40cdd57be79300",
  "eventing-trigger.yaml": "712d3cd576b6b4d59583d8793942f065a810bca5",
  "kafka-sink.yaml": "a31351adff8800454d4135ae0791922f5826252b",
  "kafka-broker-config-configmap.yaml": "8052aecf852c318e1bf164a7249b05bed96eaf52",
  "serving-service.yaml": "a03abc596aad80ed5f0e6272e7db892cd83b8bd2",
};

const delivery = { retry: 5, backoffPolicy: "exponential", backoffDelay: "PT0.2S", deadLetter: true } as const;
const trigger = {
  apiVersion: "eventing.knative.dev/v1",
  kind: "Trigger",
  metadata: { name: "audit-users", namespace: "default" },
  spec: {
    broker: "kinetic",
    filters: [{ exact: { type: "kinetic.identity.user.created.v1" } }],
    subscriber: { ref: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "audit" } },
    delivery: { retry: 5, backoffPolicy: "exponential", backoffDelay: "PT0.2S" },
  },
};

describe("createCrdValidator", () => {
  it("should read CRDs that are byte-identical copies of the upstream files", () => {
    assert.deepEqual(crdFiles.sort(), Object.keys(upstreamBlobs).sort());
    for (const file of crdFiles) {
      const bytes = readFileSync(join(crdDir, file));
      const blob = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
      assert.equal(blob, upstreamBlobs[file], `${file} differs from the upstream copy`);
    }
  });

  it("should accept every object the generator makes, for subscriptions of every kind", () => {
    const objects = eventingManifests(
      [
        { name: "identity" },
        {
          name: "audit",
          subscriptions: [
            { name: "users", type: "kinetic.identity.user.created.v1", filters: [], ordered: true, delivery },
            {
              name: "logins",
              type: "kinetic.auth.login.succeeded.v1",
              filters: [{ prefix: { subject: "user-" } }, { suffix: { source: "/auth" } }, { exact: { partitionkey: "k" } }],
              ordered: false,
              delivery: { retry: 0, backoffPolicy: "linear", backoffDelay: "PT1.5S", deadLetter: false },
            },
          ],
        },
      ],
      { bootstrapServers: ["kafka:9092"], namespace: "kinetic", partitions: 3, replicationFactor: 1 },
    );
    assert.equal(objects.length, 5);
    for (const object of objects) assert.deepEqual(validator.validate(object), [], `${object.kind} ${object.metadata.name}`);
  });

  it("should reject a field of the wrong type", () => {
    const broken = { ...trigger, spec: { ...trigger.spec, delivery: { ...trigger.spec.delivery, retry: "5" } } };
    assert.deepEqual(validator.validate(broken), ["Trigger audit-users: spec.delivery.retry must be integer"]);
  });

  it("should reject a value outside an enum and a number outside int32", () => {
    const sink = {
      apiVersion: "eventing.knative.dev/v1alpha1",
      kind: "KafkaSink",
      metadata: { name: "dead-letters" },
      spec: { topic: "t", bootstrapServers: ["kafka:9092"], contentMode: "json", numPartitions: 2 ** 31 },
    };
    const problems = validator.validate(sink);
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(problems.join("\n"), /spec.contentMode must be equal to one of the allowed values \(\["binary","structured"\]\)/);
    assert.match(problems.join("\n"), /spec.numPartitions must match format "int32"/);
  });

  it("should reject a field the schema does not declare, even where unknown fields are preserved", () => {
    const misspelt = { ...trigger, spec: { ...trigger.spec, delivery: { retry: 5, backofPolicy: "linear" } } };
    assert.deepEqual(validator.validate(misspelt), ["Trigger audit-users: spec.delivery.backofPolicy is not declared by the schema"]);
  });

  it("should reject a missing required field, an unknown kind, bad metadata and a ConfigMap with a number", () => {
    const { bootstrapServers: _, ...spec } = { topic: "t", bootstrapServers: ["kafka:9092"] };
    assert.match(validator.validate({ apiVersion: "eventing.knative.dev/v1alpha1", kind: "KafkaSink", metadata: { name: "s" }, spec }).join(), /must have required property 'bootstrapServers'/);
    assert.match(validator.validate({ ...trigger, apiVersion: "eventing.knative.dev/v2" }).join(), /no served CRD defines eventing.knative.dev\/v2 Trigger/);
    assert.match(validator.validate({ ...trigger, metadata: { name: "Audit_Users" } }).join(), /metadata.name "Audit_Users" is not a DNS-1123 subdomain/);
    const config = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { "default.topic.partitions": 10 } };
    assert.match(validator.validate(config).join(), /data.default.topic.partitions must be string/);
  });

  it("should apply the admission rules of a kind on top of its schema, Knative Serving's by default", () => {
    const service = {
      apiVersion: "serving.knative.dev/v1",
      kind: "Service",
      metadata: { name: "echo" },
      spec: { template: { spec: { containers: [{ image: "kinetic/echo", ports: [{ name: "grpc", containerPort: 8080 }] }] } } },
    };
    assert.match(validator.validate(service).join(), /ports\[0\].name "grpc" is not allowed/);
    const schemaOnly = createCrdValidator(crdFiles.map((f) => readFileSync(join(crdDir, f), "utf8")), { admissionRules: {} });
    assert.deepEqual(schemaOnly.validate(service), []);
  });
});
