// The Kafka the events benchmark runs against, found or started the way scripts/test.mjs
// does, and the topics and consumer groups each run creates and deletes.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { Kafka, logLevel } from "kafkajs";

/**
 * KAFKA_BROKERS when set, else the broker answering on 127.0.0.1:9092, else one started from
 * the project's jars (`local-dev/src/kafka/main.ts start`, Java needed). Resolves `{ brokers,
 * note, stop }`, `stop` ending only a broker started here; rejects with the launcher's last
 * lines when no broker can be had.
 */
export function findKafka({ root, env }) {
  if (env.KAFKA_BROKERS) return Promise.resolve({ brokers: env.KAFKA_BROKERS, note: `the broker at KAFKA_BROKERS=${env.KAFKA_BROKERS}`, stop: async () => {} });
  const kafka = spawn(process.execPath, ["--import", "tsx", "local-dev/src/kafka/main.ts", "start"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((resolve) => kafka.once("exit", resolve));
  const lines = [];
  return new Promise((resolve, reject) => {
    const collect = (line) => lines.push(line);
    createInterface({ input: kafka.stderr }).on("line", collect);
    createInterface({ input: kafka.stdout }).on("line", (line) => {
      collect(line);
      const reused = /^kafka: a broker is already running at (\S+?);/.exec(line);
      if (reused) resolve({ brokers: reused[1], note: `the broker already running at ${reused[1]}`, stop: async () => {} });
      const started = /^kafka: ready at (\S+) /.exec(line);
      if (started) resolve({ brokers: started[1], note: `a broker started for this run at ${started[1]}`, stop: async () => (kafka.kill("SIGTERM"), await exited) });
    });
    void exited.then((code) => reject(new Error(`no Kafka: set KAFKA_BROKERS, or install Java 17 so one can start (exit ${code}: ${lines.slice(-3).join(" ")})`)));
  });
}

const client = (brokers) => new Kafka({ clientId: "kinetic-bench", brokers: brokers.split(","), logLevel: logLevel.NOTHING });

async function withAdmin(brokers, work) {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates `topics` ({ topic, partitions }), one replica each. */
export function createTopics(brokers, topics) {
  return withAdmin(brokers, (admin) =>
    admin.createTopics({ topics: topics.map(({ topic, partitions }) => ({ topic, numPartitions: partitions, replicationFactor: 1 })), waitForLeaders: true }),
  );
}

/** Deletes `topics` and consumer `groups`, ignoring those already gone. */
export function deleteTopicsAndGroups(brokers, { topics = [], groups = [] }) {
  return withAdmin(brokers, async (admin) => {
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => undefined);
  });
}

/**
 * Reads `topic` from the beginning until every id in `ids` (the `ce_id` header) was seen, or
 * `timeoutMs` passed; resolves a Map of id → the record's timestamp (CreateTime: the
 * producer's `Date.now()` when it built the batch).
 */
export async function recordTimesOf(brokers, topic, ids, timeoutMs = 30_000) {
  const groupId = `kinetic-bench-reader-${randomBytes(4).toString("hex")}`;
  const consumer = client(brokers).consumer({ groupId, maxWaitTimeInMs: 250 });
  const times = new Map();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const id = message.headers?.ce_id?.toString();
          if (id !== undefined && ids.has(id)) times.set(id, Number(message.timestamp));
          if (times.size === ids.size) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
    await deleteTopicsAndGroups(brokers, { groups: [groupId] });
  }
  return times;
}
