import { randomBytes } from "node:crypto";
import { Kafka, logLevel, type Consumer, type KafkaMessage } from "kafkajs";

/** The brokers of the run: `npm test` starts one Kafka for every test file and sets KAFKA_BROKERS. */
export function testKafkaBrokers(): string[] {
  const brokers = process.env["KAFKA_BROKERS"];
  if (!brokers) throw new Error("KAFKA_BROKERS is not set: run tests through `npm test` or `node scripts/test.mjs`, which start Kafka");
  return brokers.split(",");
}

/** A kafkajs client for tests, quiet. */
export function testKafka(clientId = "kinetic-test"): Kafka {
  return new Kafka({ clientId, brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING });
}

/** Creates a topic with a unique name (`<prefix>-<hex>`) and `partitions` partitions. */
export async function createTestTopic(prefix: string, partitions = 3): Promise<string> {
  const topic = `${prefix}-${randomBytes(4).toString("hex")}`;
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/**
 * Reads `topic` from the beginning until `count` records arrived, or until `until` says the
 * records so far are enough; rejects after `timeoutMs`.
 */
export async function readTopic(topic: string, until: number | ((records: KafkaMessage[]) => boolean), timeoutMs = 15_000): Promise<KafkaMessage[]> {
  const done = typeof until === "number" ? (records: KafkaMessage[]) => records.length >= until : until;
  const consumer: Consumer = testKafka().consumer({ groupId: `test-reader-${randomBytes(4).toString("hex")}` });
  const received: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${received.length} records from ${topic} in ${timeoutMs} ms, not what was awaited`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message);
          if (done(received)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}
