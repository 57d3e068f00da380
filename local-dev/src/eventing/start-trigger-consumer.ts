import type { Kafka, KafkaMessage } from "kafkajs";
import type { Logger } from "@kinetic/runtime";
import { initializeGroupOffsets } from "./initialize-group-offsets.js";
import { createPartitionLane, type PartitionLane } from "./partition-lane.js";

export interface TriggerConsumerOptions {
  kafka: Kafka;
  /** The broker's topic. Required. */
  topic: string;
  /** The trigger's own consumer group. Required. */
  groupId: string;
  /** Records in flight per partition: 1 for an ordered trigger. Required. */
  concurrency: number;
  /** Where the group starts when it has no committed offsets. Required. */
  initialOffset: "latest" | "earliest";
  /** Handles one record; resolves with its outcome, rejects when `signal` aborts. Required. */
  dispatch: (message: KafkaMessage, signal: AbortSignal) => Promise<unknown>;
  log: Logger;
}

export interface TriggerConsumer {
  /** Stops taking records, aborts deliveries in flight (not committed: redelivered next time), leaves the group. */
  close(): Promise<void>;
}

/**
 * Consumes the broker's topic for one trigger in its own consumer group. Each partition has a
 * lane (`createPartitionLane`): a fetched batch goes to the lane and the partition is paused
 * until the lane has started it all, so a partition waiting on retries never holds up the
 * others and the consumer keeps heartbeating. Offsets are committed by the lanes, after
 * outcomes; a rebalance aborts every lane and the group resumes from its commits.
 *
 * @internal
 */
export async function startTriggerConsumer({ kafka, topic, groupId, concurrency, initialOffset, dispatch, log }: TriggerConsumerOptions): Promise<TriggerConsumer> {
  await initializeGroupOffsets(kafka, groupId, topic, initialOffset);
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  const lanes = new Map<number, PartitionLane>();
  let generation = new AbortController();
  let closing = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    generation.abort();
    generation = new AbortController();
    lanes.clear();
    consumer.resume([{ topic }]);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => log.warn("trigger consumer crashed", { group: groupId, error: payload.error.message, restart: payload.restart }));

  const laneOf = (partition: number): PartitionLane => {
    const signal = generation.signal;
    const lane = createPartitionLane({
      concurrency,
      signal,
      handle: (message) => dispatch(message, signal).then(() => undefined),
      commit: (offset) => consumer.commitOffsets([{ topic, partition, offset }]),
      onCommitError: (err) => log.warn("cannot commit a trigger's offset; its events will be delivered again", { group: groupId, partition, error: String(err) }),
    });
    lanes.set(partition, lane);
    return lane;
  };

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: initialOffset === "earliest" });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch, pause }) => {
      if (closing) return;
      const lane = lanes.get(batch.partition) ?? laneOf(batch.partition);
      lane.push(batch.messages, pause());
    },
  });

  return {
    async close() {
      closing = true;
      generation.abort();
      await Promise.all([...lanes.values()].map((lane) => lane.idle()));
      await consumer.disconnect();
    },
  };
}
