import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { testKafka, testKafkaBrokers } from "@kinetic/runtime/testing";
import { ensureTopics } from "./ensure-topics.js";

describe("ensureTopics", () => {
  it("should create missing topics with their partitions and leave existing ones alone", async () => {
    const suffix = randomBytes(4).toString("hex");
    const topics = [
      { topic: `knative-broker-test-${suffix}`, partitions: 4 },
      { topic: `dead-letters.${suffix}`, partitions: 1 },
    ];
    const brokers = testKafkaBrokers().join(",");
    assert.deepEqual(await ensureTopics({ brokers, topics }), topics.map((t) => t.topic));
    assert.deepEqual(await ensureTopics({ brokers, topics }), []);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
      const partitions = new Map(metadata.map((t) => [t.name, t.partitions.length]));
      assert.deepEqual(topics.map((t) => partitions.get(t.topic)), [4, 1]);
    } finally {
      await admin.disconnect();
    }
  });
});
