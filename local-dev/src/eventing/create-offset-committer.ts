/** One partition's offset to commit: the next record to read. */
export interface PartitionOffset {
  readonly partition: number;
  readonly offset: string;
}

export interface OffsetCommitterOptions {
  /** Commits the offsets of several partitions in one request (kafkajs' `consumer.commitOffsets`). Required. */
  commit: (offsets: readonly PartitionOffset[]) => Promise<void>;
  /** Longest an offset waits after `mark` before it is committed. Required. */
  intervalMs: number;
  /** Called with a commit that failed; its offsets go with the next commit unless overtaken. Required. */
  onError: (err: unknown) => void;
}

/** A consumer group's pending commits, one request per interval instead of one per record. */
export interface OffsetCommitter {
  /** Notes that every record of `partition` before `offset` has an outcome; committed within `intervalMs`. */
  mark(partition: number, offset: string): void;
  /** Commits every offset noted so far now; resolves once that commit (and any before it) settled. */
  flush(): Promise<void>;
  /** Commits what is pending, like `flush`, and stops committing on a timer. */
  close(): Promise<void>;
}

/**
 * Coalesces a consumer's offset commits, as the Kafka Broker's dispatcher commits on a timer
 * (`auto.commit.interval.ms`) rather than per record: each partition's highest marked offset
 * goes in one OffsetCommit request at most every `intervalMs`, one request at a time. A commit
 * per record would cost the broker a write to `__consumer_offsets` per event and, sharing the
 * connection with the long-polling fetch, hold up the next fetch behind it. Only offsets the
 * lanes marked are committed, so a crash redelivers at most an interval's outcomes, never
 * skips a record without one.
 *
 * @example
 * const committer = createOffsetCommitter({ commit: (offsets) => consumer.commitOffsets(offsets.map((o) => ({ topic, ...o }))), intervalMs: 1000, onError });
 */
export function createOffsetCommitter({ commit, intervalMs, onError }: OffsetCommitterOptions): OffsetCommitter {
  const pending = new Map<number, bigint>();
  let commits = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const note = (partition: number, offset: bigint) => {
    const current = pending.get(partition);
    if (current === undefined || offset > current) pending.set(partition, offset);
  };
  const schedule = () => {
    if (timer !== undefined || closed || pending.size === 0) return;
    timer = setTimeout(() => void commitPending(), intervalMs);
    timer.unref();
  };
  const commitPending = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    commits = commits.then(async () => {
      if (pending.size === 0) return;
      const offsets = [...pending].map(([partition, offset]) => ({ partition, offset }));
      pending.clear();
      try {
        await commit(offsets.map(({ partition, offset }) => ({ partition, offset: offset.toString() })));
      } catch (err) {
        onError(err);
        for (const { partition, offset } of offsets) note(partition, offset);
        schedule();
      }
    });
    return commits;
  };

  return {
    mark(partition, offset) {
      note(partition, BigInt(offset));
      schedule();
    },
    flush: commitPending,
    close() {
      closed = true;
      return commitPending();
    },
  };
}
