import type { KafkaMessage } from "kafkajs";

export interface PartitionLaneOptions {
  /** Records in flight at once: 1 for an ordered trigger. Required. */
  concurrency: number;
  /** Handles one record; resolves when it has an outcome, rejects when aborted. Required. */
  handle: (message: KafkaMessage) => Promise<void>;
  /** Commits the offset of the next record to read. Required. */
  commit: (offset: string) => Promise<void>;
  /** Stops taking records; those in flight are left to reject. Required. */
  signal: AbortSignal;
  /** Called with a commit that failed (the records after it are read again later). Required. */
  onCommitError: (err: unknown) => void;
}

/** One partition's records of one trigger, processed in order or with bounded concurrency. */
export interface PartitionLane {
  /**
   * Queues a batch (in offset order); `whenStarted` runs once every queued record has started,
   * which is when the consumer may fetch the next batch of this partition.
   */
  push(messages: readonly KafkaMessage[], whenStarted: () => void): void;
  /** Resolves when nothing is in flight and every commit has settled. */
  idle(): Promise<void>;
}

/**
 * Runs a partition's records through `handle` with at most `concurrency` in flight and
 * commits, after each outcome, the offset past the longest run of finished records from the
 * start: a record is never skipped, even when later ones finish first, so a crash or a
 * rebalance redelivers everything not known to be done (at least once). With concurrency 1 this
 * is the Kafka Broker's ordered delivery: one event at a time, commit after its outcome.
 *
 * @example
 * const lane = createPartitionLane({ concurrency: 1, handle, commit, signal, onCommitError });
 * lane.push(batch.messages, pause());
 */
export function createPartitionLane({ concurrency, handle, commit, signal, onCommitError }: PartitionLaneOptions): PartitionLane {
  const queue: KafkaMessage[] = [];
  const started: { readonly offset: bigint; done: boolean }[] = [];
  let inFlight = 0;
  let commits = Promise.resolve();
  let whenStarted: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];

  const advance = () => {
    let next: bigint | undefined;
    while (started[0]?.done) next = started.shift()!.offset + 1n;
    if (next !== undefined) {
      const offset = next.toString();
      commits = commits.then(() => commit(offset)).catch(onCommitError);
    }
  };
  const settle = () => {
    if (inFlight > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    void commits.then(() => waiters.forEach((w) => w()));
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
    if (queue.length === 0 && whenStarted !== undefined && !signal.aborted) {
      const callback = whenStarted;
      whenStarted = undefined;
      callback();
    }
  };

  return {
    push(messages, callback) {
      queue.push(...messages);
      whenStarted = callback;
      pump();
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        settle();
      });
    },
  };
}
