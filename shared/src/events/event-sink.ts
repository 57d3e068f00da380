import type { ConnectError } from "@connectrpc/connect";
import type { OutboxRow } from "./outbox-table.js";

/** What became of a batch handed to a sink. */
export interface SinkOutcome {
  /** The rows the sink acknowledged: the relay deletes them. */
  readonly delivered: readonly OutboxRow[];
  /** Why the other rows were not delivered; they stay in the outbox for the next attempt. */
  readonly error?: ConnectError | undefined;
}

/**
 * Where the outbox relay sends events: Kafka (`createKafkaSink`) or a CloudEvents sink over
 * HTTP (`createHttpSink`). The relay owns everything else (leader lock, NOTIFY, coalescing,
 * deleting after acknowledgement), so a sink only has to send.
 */
export interface EventSink {
  /** Where events go, for logs: "kafka topic <name>" or the sink's URL. */
  readonly target: string;
  /**
   * Sends rows given in outbox order, keeping each partition key's rows in that order: a row is
   * sent only after every earlier row of its key was acknowledged. Never rejects: failures are
   * in the outcome, and the rows not acknowledged are sent again later.
   */
  send(rows: readonly OutboxRow[]): Promise<SinkOutcome>;
}
