import type { Kafka } from "kafkajs";

/**
 * Gives a consumer group committed offsets where it has none, at the end of each partition
 * ("latest") or its start ("earliest"), as the Kafka Broker's control plane does when a Trigger
 * becomes ready: from then on the trigger receives every later event, even those published
 * while the dispatcher was not running. Partitions with committed offsets are left alone. Joins
 * the group briefly to commit (kafkajs' `admin.setOffsets` would wait out a 5 s fetch).
 *
 * @example
 * await initializeGroupOffsets(kafka, "kinetic-trigger-audit-users", topic, "latest");
 */
export async function initializeGroupOffsets(kafka: Kafka, groupId: string, topic: string, from: "latest" | "earliest"): Promise<void> {
  // A broker that just started answers "coordinator is loading" for a while: retry what Kafka calls retriable.
  for (let attempt = 1; ; attempt++) {
    try {
      return await initializeOnce(kafka, groupId, topic, from);
    } catch (err) {
      if (attempt >= 20 || (err as { retriable?: unknown }).retriable !== true) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

async function initializeOnce(kafka: Kafka, groupId: string, topic: string, from: "latest" | "earliest"): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let partitions: { partition: number; offset: string }[];
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const unset = new Set((committed?.partitions ?? []).filter((p) => p.offset === "-1").map((p) => p.partition));
    if (unset.size === 0) return;
    const ends = await admin.fetchTopicOffsets(topic);
    partitions = ends.filter((p) => unset.has(p.partition)).map((p) => ({ partition: p.partition, offset: from === "latest" ? p.high : p.low }));
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    await consumer.run({ autoCommit: false, eachBatch: async () => {} });
    consumer.pause([{ topic }]);
    await consumer.commitOffsets(partitions.map((p) => ({ topic, ...p })));
  } finally {
    await consumer.disconnect();
  }
}
