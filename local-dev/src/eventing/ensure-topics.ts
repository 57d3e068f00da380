import { Kafka, logLevel } from "kafkajs";

export interface EnsureTopicsOptions {
  /** Comma-separated bootstrap servers (KAFKA_BROKERS). Required. */
  brokers: string;
  /** The topics the dispatcher needs: the broker's and the dead-letter topic. Required. */
  topics: readonly { readonly topic: string; readonly partitions: number }[];
}

/**
 * Creates the local broker's topics that do not exist yet, with one replica (one local broker),
 * as the Kafka Broker and the KafkaSink create theirs on the cluster from their config
 * (`default.topic.partitions`, `numPartitions`). Existing topics are left as they are. Resolves
 * with the names it created.
 *
 * @example
 * await ensureTopics({ brokers: "127.0.0.1:9092", topics: [{ topic: "knative-broker-default-kinetic", partitions: 10 }] });
 */
export async function ensureTopics({ brokers, topics }: EnsureTopicsOptions): Promise<string[]> {
  const admin = new Kafka({ clientId: "kinetic-dev-eventing", brokers: brokers.split(",").map((b) => b.trim()), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })), waitForLeaders: true });
    }
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}
