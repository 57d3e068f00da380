// What the events benchmark loads: two paths from a publisher process to a subscriber process
// through the same Kafka broker, every process on the server core. Each path is started on
// fresh topics (and, for Kinetic, a fresh database) and leaves nothing behind when stopped.
// Import after the build: the functions run from shared/dist.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { expectOk, healthProbe, jsonCall } from "./auth-chain.mjs";
import { createTopics, deleteTopicsAndGroups } from "./kafka.mjs";
import { pidsNamed } from "./machine-load.mjs";
import { createScratchDatabase } from "./scratch-database.mjs";
import { startServer } from "./server-process.mjs";

const launcher = "shared/dist/bin/serve.js";
/** The dispatcher's group of the subscriber's one Trigger: `kinetic-trigger-<function>-<subscription>`. */
const triggerGroup = "kinetic-trigger-bench-subscriber-identity-user-created-v1";
/** Readiness of the plain processes: their control port answering POST /ready. */
const controlProbe = { path: "/ready", protocol: jsonCall({}, expectOk) };
/** Functions drain (and the relay flushes) before they exit; consumers leave their group. */
const stopGraceMs = 10_000;

/** Partitions of the Kafka Broker's topic in the generated manifests (its ConfigMap's `default.topic.partitions`). */
export function brokerPartitions(root) {
  const text = readFileSync(join(root, "knative/base/eventing/broker.yaml"), "utf8");
  const config = parseAllDocuments(text)
    .map((d) => d.toJS())
    .find((o) => o?.kind === "ConfigMap" && o.data?.["default.topic.partitions"] !== undefined);
  const partitions = Number(config?.data["default.topic.partitions"]);
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error("knative/base/eventing/broker.yaml has no default.topic.partitions");
  return partitions;
}

/**
 * Starts `processes` ({ name, args, env, probe }, `env` possibly a function of the servers
 * started before) one after the other on the server core. Resolves `{ servers, stop }`,
 * servers by name; rejects naming the process that failed, after stopping those started.
 */
async function startAll(processes, cwd) {
  const started = {};
  const stop = async () => {
    for (const server of Object.values(started).toReversed()) await server.stop(stopGraceMs);
  };
  for (const { name, args, env, probe } of processes) {
    try {
      const resolvedEnv = typeof env === "function" ? env(started) : env;
      started[name] = await startServer({ args, env: resolvedEnv, protocol: probe.protocol, path: probe.path, cwd, timeoutMs: 60_000 });
    } catch (error) {
      await stop();
      throw new Error(`${name}: ${error.message}`);
    }
  }
  return { servers: started, stop };
}

/** Runs `start`; when it fails, runs `cleanup` before rejecting. Resolves what `start` did, its `stop` followed by `cleanup`. */
async function cleaningUp(cleanup, start) {
  try {
    const running = await start();
    return {
      ...running,
      async stop() {
        await running.stop();
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
}

/**
 * The baseline: `bench/servers/kafka-producer.mjs` sends each event with `producer.send`, one
 * kafkajs consumer (`bench/servers/kafka-consumer.mjs`) notes it in `eachMessage`. On a fresh
 * topic with the broker topic's partitions.
 */
export const rawPath = {
  id: "events:kafkajs",
  label: "raw kafkajs producer → consumer",

  async start({ brokers, partitions, cwd }) {
    const topic = `kinetic-bench-raw-${randomBytes(4).toString("hex")}`;
    const group = topic;
    const cleanup = () => deleteTopicsAndGroups(brokers, { topics: [topic], groups: [group] });
    return cleaningUp(cleanup, async () => {
      await createTopics(brokers, [{ topic, partitions }]);
      const env = { KAFKA_BROKERS: brokers, BENCH_TOPIC: topic, BENCH_GROUP: group };
      const { servers, stop } = await startAll(
        [
          { name: "consumer", args: ["bench/servers/kafka-consumer.mjs"], env, probe: controlProbe },
          { name: "producer", args: ["bench/servers/kafka-producer.mjs"], env, probe: controlProbe },
        ],
        cwd,
      );
      const { producer, consumer } = servers;
      return {
        topic,
        publishUrl: `http://127.0.0.1:${producer.port}/publish`,
        handledUrl: `http://127.0.0.1:${consumer.port}/handled`,
        roles: async () => ({ producer: [producer.pid], consumer: [consumer.pid], kafka: await pidsNamed(["java"]) }),
        stop,
      };
    });
  },
};

/**
 * Kinetic: `bench/servers/event-publisher.mjs` commits each event to its outbox, the runtime's
 * relay sends it to the broker's topic, the emulator's dispatcher (`bench/servers/event-
 * dispatcher.mjs`, the Trigger generated from the subscription) POSTs it as a CloudEvent to
 * `bench/servers/event-subscriber.mjs`, whose inbox records it before its handler runs. Both
 * functions run from shared/dist with the production launcher on a fresh database, dropped
 * afterwards, and fresh broker and dead-letter topics.
 */
export const runtimePath = {
  id: "events:runtime",
  label: "Kinetic: outbox → relay → Kafka → dispatcher → function",

  async start({ brokers, partitions, cwd }) {
    const tag = randomBytes(4).toString("hex");
    const topic = `kinetic-bench-broker-${tag}`;
    const deadLetterTopic = `kinetic-bench-dead-${tag}`;
    let database;
    const cleanup = async () => {
      await database?.drop();
      await deleteTopicsAndGroups(brokers, { topics: [topic, deadLetterTopic], groups: [triggerGroup] });
    };
    return cleaningUp(cleanup, async () => {
      await createTopics(brokers, [
        { topic, partitions },
        { topic: deadLetterTopic, partitions: 1 },
      ]);
      database = await createScratchDatabase();
      const env = { LOG_LEVEL: "warn", DATABASE_URL: database.url, KAFKA_BROKERS: brokers, KINETIC_EVENTS_TOPIC: topic };
      const dispatcherEnv = ({ subscriber }) => ({
        KAFKA_BROKERS: brokers,
        BENCH_TOPIC: topic,
        BENCH_DEAD_LETTER_TOPIC: deadLetterTopic,
        BENCH_PARTITIONS: String(partitions),
        BENCH_SUBSCRIBER_URL: `http://127.0.0.1:${subscriber.port}/`,
      });
      const { servers, stop } = await startAll(
        [
          { name: "subscriber", args: [launcher, "bench/servers/event-subscriber.mjs"], env, probe: healthProbe },
          // As `npm run dev` runs it: from TypeScript sources.
          { name: "dispatcher", args: ["--conditions=kinetic-source", "--import", "tsx", "bench/servers/event-dispatcher.mjs"], env: dispatcherEnv, probe: controlProbe },
          { name: "publisher", args: [launcher, "bench/servers/event-publisher.mjs"], env, probe: healthProbe },
        ],
        cwd,
      );
      const { publisher, dispatcher, subscriber } = servers;
      return {
        topic,
        subscriberUrl: `http://127.0.0.1:${subscriber.port}/`,
        publishUrl: `http://127.0.0.1:${publisher.port}/publish`,
        handledUrl: `http://127.0.0.1:${subscriber.port}/handled`,
        roles: async () => ({
          publisher: [publisher.pid],
          dispatcher: [dispatcher.pid],
          subscriber: [subscriber.pid],
          postgres: await pidsNamed(["postgres"]),
          kafka: await pidsNamed(["java"]),
        }),
        stop,
      };
    });
  },
};
