import { Kafka, logLevel, Partitioners, type LogEntry } from "kafkajs";
import type { Logger } from "@kinetic/runtime";
import { createTriggerDispatch } from "./create-trigger-dispatch.js";
import { dispatchRecord } from "./dispatch-record.js";
import type { DispatcherDelivery, DispatcherTrigger } from "./dispatcher-trigger.js";
import { kafkaMessageFromBrokerEvent } from "./kafka-message-from-broker-event.js";
import { startTriggerConsumer } from "./start-trigger-consumer.js";

export interface EventDispatcherOptions {
  /** Comma-separated Kafka bootstrap servers (KAFKA_BROKERS). Required. */
  brokers: string;
  /** The broker's topic, `knative-broker-<namespace>-<broker>`; replies go back to it. Required. */
  topic: string;
  /** The Triggers, as `eventingManifests` makes them or `loadEventingManifests` reads them. Required. */
  triggers: readonly DispatcherTrigger[];
  /** Base URL of a function by name (`registry.resolve`); rejects while it is not running. Required. */
  resolve: (fn: string) => Promise<string>;
  /** The dead-letter KafkaSink's topic. Required. */
  deadLetterTopic: string;
  log: Logger;
  /** The Broker's `spec.delivery`, merged into each Trigger's field by field. Default none. */
  brokerDelivery?: DispatcherDelivery | undefined;
  /** Deliveries in flight per partition of an unordered trigger. Default 50. */
  unorderedConcurrency?: number;
  /** Per-attempt timeout when the delivery spec sets none. Default 30000 ms. */
  timeoutMs?: number;
  /** Where a trigger's new consumer group starts: "latest" as on the cluster, or "earliest". Default "latest". */
  initialOffset?: "latest" | "earliest";
  /** Pause between lookups of a subscriber that is not running. Default 1000 ms. */
  resolveRetryMs?: number;
  /**
   * Longest an event's outcome waits before its offset is committed, as the Kafka Broker's
   * `auto.commit.interval.ms`; a crash redelivers at most this much, `close()` commits it all.
   * Default 1000 ms.
   */
  commitIntervalMs?: number;
}

export interface EventDispatcher {
  /** Stops every trigger; deliveries in flight are aborted and redelivered on the next start, outcomes so far committed. */
  close(): Promise<void>;
}

/**
 * The Knative Kafka Broker's data plane, locally, against real Kafka: one consumer group per
 * Trigger (`kinetic-trigger-<name>`) reading the broker's topic, Trigger filters, CloudEvents
 * delivery over HTTP in binary mode, retries with back-off, reply events back onto the broker's
 * topic, dead letters with Knative's error extensions, ordered or unordered delivery per
 * partition. Validates every trigger first (a `TypeError` names the bad one); resolves once
 * every consumer has joined its group.
 *
 * @example
 * const dispatcher = await startEventDispatcher({ brokers, topic, triggers, resolve: (fn) => registry.resolve(fn), deadLetterTopic, log });
 */
export async function startEventDispatcher(options: EventDispatcherOptions): Promise<EventDispatcher> {
  const { brokers, topic, triggers, resolve, deadLetterTopic, log, brokerDelivery } = options;
  const { unorderedConcurrency = 50, timeoutMs = 30_000, initialOffset = "latest", resolveRetryMs = 1000, commitIntervalMs = 1000 } = options;
  const kafka = new Kafka({
    clientId: "kinetic-dev-eventing",
    brokers: brokers.split(",").map((b) => b.trim()),
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => log.warn(`kafka: ${entry.log.message}`, { kafka_logger: entry.namespace }),
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const dispatches = triggers.map((trigger) =>
    createTriggerDispatch(trigger, {
      resolve,
      brokerDelivery,
      timeoutMs,
      resolveRetryMs,
      log,
      // Replies unkeyed, as the Kafka Broker's reply handler produces them; dead letters keyed by partitionkey, as KafkaSink writes them.
      reply: async (event) => void (await producer.send({ topic, acks: -1, messages: [kafkaMessageFromBrokerEvent(event, null)] })),
      deadLetter: async (event) =>
        void (await producer.send({ topic: deadLetterTopic, acks: -1, messages: [kafkaMessageFromBrokerEvent(event, event.attributes["partitionkey"] ?? null)] })),
      deadLetterSink: `kafka topic ${deadLetterTopic}`,
    }),
  );

  await producer.connect();
  const started = await Promise.allSettled(
    dispatches.map((dispatch) =>
      startTriggerConsumer({
        kafka,
        topic,
        groupId: `kinetic-trigger-${dispatch.trigger}`,
        concurrency: dispatch.ordered ? 1 : unorderedConcurrency,
        initialOffset,
        commitIntervalMs,
        dispatch: (message, signal) => dispatchRecord(message, dispatch, signal),
        log,
      }),
    ),
  );
  const consumers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(consumers.map((c) => c.close()));
    await producer.disconnect();
    throw failed.reason;
  }
  log.info("event dispatcher ready", { topic, dead_letter_topic: deadLetterTopic, triggers: dispatches.map((d) => d.trigger) });

  return {
    async close() {
      await Promise.all(consumers.map((c) => c.close()));
      await producer.disconnect();
    },
  };
}
