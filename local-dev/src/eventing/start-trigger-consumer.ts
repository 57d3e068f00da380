import type { Kafka, KafkaMessage } from "kafkajs";
import type { Logger } from "@kinetic/runtime";
import { createOffsetCommitter } from "./create-offset-committer.js";
import { initializeGroupOffsets } from "./initialize-group-offsets.js";
import { createPartitionLane, type PartitionLane } from "./partition-lane.js";

/**
 * Records a partition's lane holds, waiting, before the partition is paused: enough that a
 * partition whose lane is busy stays in every fetch (a paused one misses the fetch in flight,
 * up to its 250 ms wait), few enough to bound what a stuck trigger buffers.
 */
const laneCapacity = 100;

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
  /** Longest a record's outcome waits before its offset is committed. Required. */
  commitIntervalMs: number;
  /** Handles one record; resolves with its outcome, rejects when `signal` aborts. Required. */
  dispatch: (message: KafkaMessage, signal: AbortSignal) => Promise<unknown>;
  log: Logger;
}

export interface TriggerConsumer {
  /** Stops taking records, aborts deliveries in flight (not committed: redelivered next time), commits the outcomes so far, leaves the group. */
  close(): Promise<void>;
}

/**
 * Consumes the broker's topic for one trigger in its own consumer group. Each partition has a
 * lane (`createPartitionLane`): fetched batches queue there, so a partition waiting on
 * retries never holds up the others and the consumer keeps heartbeating; a partition is
 * paused only while its lane has a backlog. The lanes report outcomes and the committer
 * (`createOffsetCommitter`) commits them every `commitIntervalMs` and on close; a rebalance
 * aborts every lane and the group resumes from its commits.
 *
 * @internal
 */
export async function startTriggerConsumer(options: TriggerConsumerOptions): Promise<TriggerConsumer> {
  const { kafka, topic, groupId, concurrency, initialOffset, commitIntervalMs, dispatch, log } = options;
  await initializeGroupOffsets(kafka, groupId, topic, initialOffset);
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  const lanes = new Map<number, PartitionLane>();
  const committer = createOffsetCommitter({
    commit: (offsets) => consumer.commitOffsets(offsets.map((o) => ({ topic, ...o }))),
    intervalMs: commitIntervalMs,
    onError: (err) => log.warn("cannot commit a trigger's offsets; retrying, or its events are delivered again", { group: groupId, error: String(err) }),
  });
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
      maxQueued: laneCapacity,
      signal,
      handle: (message) => dispatch(message, signal).then(() => undefined),
      onCommittable: (offset) => committer.mark(partition, offset),
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
      lane.push(batch.messages, pause);
    },
  });

  return {
    async close() {
      closing = true;
      generation.abort();
      await Promise.all([...lanes.values()].map((lane) => lane.idle()));
      await committer.close();
      await consumer.disconnect();
    },
  };
}
