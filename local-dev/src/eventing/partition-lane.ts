import type { KafkaMessage } from "kafkajs";

export interface PartitionLaneOptions {
  /** Records in flight at once: 1 for an ordered trigger. Required. */
  concurrency: number;
  /** Records waiting to start at which the lane pauses its partition; it resumes it at half as many. Required. */
  maxQueued: number;
  /** Handles one record; resolves when it has an outcome, rejects when aborted. Required. */
  handle: (message: KafkaMessage) => Promise<void>;
  /** Told the offset of the next record to read whenever it moves: every record before it has an outcome. Required. */
  onCommittable: (offset: string) => void;
  /** Stops taking records; those in flight are left to reject, those queued are dropped. Required. */
  signal: AbortSignal;
}

/** One partition's records of one trigger, processed in order or with bounded concurrency. */
export interface PartitionLane {
  /**
   * Queues a batch (in offset order). Once `maxQueued` records wait, it calls `pause` (kafkajs'
   * eachBatch `pause`: this partition leaves the fetches) and calls what `pause` returned once
   * the queue is down to half: a busy partition keeps being fetched until its backlog is large,
   * so its next record never waits for a fetch that left it out, and memory stays bounded.
   */
  push(messages: readonly KafkaMessage[], pause: () => () => void): void;
  /** Resolves when nothing is in flight. */
  idle(): Promise<void>;
}

/**
 * Runs a partition's records through `handle` with at most `concurrency` in flight and, after
 * each outcome, reports the offset past the longest run of finished records from the start: a
 * record is never skipped, even when later ones finish first, so committing what it reports
 * redelivers after a crash or a rebalance everything not known to be done (at least once).
 * With concurrency 1 this is the Kafka Broker's ordered delivery: one event at a time.
 *
 * @example
 * const lane = createPartitionLane({ concurrency: 1, maxQueued: 100, handle, onCommittable: (offset) => committer.mark(partition, offset), signal });
 * lane.push(batch.messages, pause);
 */
export function createPartitionLane({ concurrency, maxQueued, handle, onCommittable, signal }: PartitionLaneOptions): PartitionLane {
  const queue: KafkaMessage[] = [];
  const started: { readonly offset: bigint; done: boolean }[] = [];
  let inFlight = 0;
  let resume: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];

  const advance = () => {
    let next: bigint | undefined;
    while (started[0]?.done) next = started.shift()!.offset + 1n;
    if (next !== undefined) onCommittable(next.toString());
  };
  const settle = () => {
    if (inFlight > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    waiters.forEach((w) => w());
  };
  const pump = () => {
    while (!signal.aborted && inFlight < concurrency && queue.length > 0) {
      const message = queue.shift()!;
      const entry = { offset: BigInt(message.offset), done: false };
      started.push(entry);
      inFlight++;
      handle(message)
        .then(() => {
          entry.done = true;
          advance();
        })
        .catch(() => undefined)
        .finally(() => {
          inFlight--;
          pump();
          settle();
        });
    }
    // After an abort the consumer has rejoined its group and resumed every partition itself.
    if (resume !== undefined && !signal.aborted && queue.length <= Math.floor(maxQueued / 2)) {
      const callback = resume;
      resume = undefined;
      callback();
    }
  };

  return {
    push(messages, pause) {
      queue.push(...messages);
      pump();
      if (resume === undefined && !signal.aborted && queue.length >= maxQueued) resume = pause();
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        settle();
      });
    },
  };
}
