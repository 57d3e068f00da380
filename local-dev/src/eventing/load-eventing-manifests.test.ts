import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { eventingManifests } from "../../../scripts/manifests/eventing-manifests.js";
import { manifestFiles } from "../../../scripts/manifests/manifest-files.js";
import { loadEventingManifests } from "./load-eventing-manifests.js";

const committed = fileURLToPath(new URL("../../../knative/base/eventing/", import.meta.url));
const delivery = { retry: 2, backoffPolicy: "linear", backoffDelay: "PT1S", deadLetter: true } as const;

describe("loadEventingManifests", () => {
  const scratch = mkdtempSync(join(tmpdir(), "kinetic-eventing-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("should find the committed broker's topic, partitions, dead-letter topic and delivery defaults", () => {
    const loaded = loadEventingManifests(committed);
    assert.equal(loaded.topic, "knative-broker-default-kinetic", "the outbox relay's default KINETIC_EVENTS_TOPIC");
    assert.deepEqual([loaded.namespace, loaded.broker], ["default", "kinetic"], "the ingress path /default/kinetic");
    assert.equal(loaded.deadLetterTopic, "kinetic.dead-letters");
    assert.equal(loaded.partitions, 10);
    assert.deepEqual(loaded.brokerDelivery, { backoffPolicy: "exponential", backoffDelay: "PT0.2S" });
  });

  it("should read back exactly the Triggers the generator wrote", () => {
    const objects = eventingManifests(
      [
        { name: "audit", subscriptions: [{ name: "users", type: "kinetic.identity.user.created.v1", filters: [{ prefix: { subject: "u" } }], ordered: false, delivery }] },
        { name: "mailer", subscriptions: [{ name: "welcome", type: "kinetic.identity.user.created.v1", filters: [], ordered: true, delivery }] },
      ],
      { bootstrapServers: ["kafka:9092"], namespace: "dev", partitions: 4 },
    );
    for (const [file, text] of manifestFiles(objects)) writeFileSync(join(scratch, file), text);
    const loaded = loadEventingManifests(scratch);
    assert.equal(loaded.topic, "knative-broker-dev-kinetic");
    assert.equal(loaded.namespace, "dev");
    assert.equal(loaded.partitions, 4);
    assert.deepEqual(loaded.triggers, objects.filter((o) => o.kind === "Trigger"));
  });

  it("should say what is missing from a folder without a Kafka broker", () => {
    writeFileSync(join(scratch, "broker.yaml"), "kind: ConfigMap\nmetadata:\n  name: x\n");
    assert.throws(() => loadEventingManifests(scratch), /must hold one Kafka-class Broker and one KafkaSink/);
  });
});
