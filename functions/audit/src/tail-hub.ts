import { Code, ConnectError } from "@connectrpc/connect";
import type { AuditEvent } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { connectErrorFromPostgres, type Logger } from "@kinetic/runtime";
import type { Sql } from "postgres";
import { auditChannel, createAuditStore } from "./audit-store.js";
import { createTailSubscriber, type TailSubscriber } from "./tail-subscriber.js";

export interface TailHubOptions {
  /** The function's pool; the hub LISTENs on one extra connection once the first Tail starts. Required. */
  sql: Sql;
  /** Events a subscriber may have waiting before it is cut off with resource_exhausted. Default 1000. */
  bufferSize?: number;
  /** Receives a line when a subscriber joins, is cut off, or events could not be read. Required. */
  log: Logger;
}

/** The in-process fan-out of recorded events to this instance's Tail streams. */
export interface TailHub {
  /**
   * Events recorded from now on whose type starts with `typePrefix`, in commit order, until
   * `signal` aborts. Throws `resource_exhausted` when the consumer falls `bufferSize` events
   * behind and `unavailable` when events may have been missed: either way, resume with Query.
   */
  subscribe(typePrefix: string, signal: AbortSignal): AsyncIterable<AuditEvent>;
  /** Streams being served right now. */
  readonly subscribers: number;
  /** Ends every stream with `unavailable` and stops listening. */
  close(): Promise<void>;
}

/**
 * Creates the hub. Each recorded row is announced by seq with `pg_notify` when its transaction
 * commits, on every instance's LISTEN connection, in commit order; the hub reads the announced
 * rows in batches and offers them to every matching subscriber's bounded queue. Reading by the
 * announced seqs, not "everything after the last seen seq", keeps a transaction that took a
 * lower seq but committed later from being skipped.
 *
 * @example
 * const hub = createTailHub({ sql, bufferSize: env.AUDIT_TAIL_BUFFER, log });
 * for await (const event of hub.subscribe("kinetic.identity.", ctx.signal)) yield { event };
 */
export function createTailHub({ sql, bufferSize = 1000, log }: TailHubOptions): TailHub {
  if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new TypeError("bufferSize must be a positive integer");
  const store = createAuditStore(sql);
  const subscribers = new Set<TailSubscriber>();
  const announced: string[] = [];
  let listening: Promise<{ unlisten: () => Promise<void> }> | undefined;
  let listens = 0;
  let reading = false;
  let closed = false;

  const leave = (subscriber: TailSubscriber, reason: string, error?: ConnectError) => {
    subscriber.end(error);
    if (!subscribers.delete(subscriber)) return;
    const fields = { reason, type_prefix: subscriber.typePrefix, subscribers: subscribers.size };
    if (error) log.warn("tail subscriber cut off", { ...fields, code: Code[error.code] });
    else log.debug("tail subscriber left", fields);
  };
  const cutOffAll = (reason: string, error: ConnectError) => {
    for (const subscriber of [...subscribers]) leave(subscriber, reason, error);
  };

  const offer = (event: AuditEvent) => {
    for (const subscriber of [...subscribers]) {
      if (!event.type.startsWith(subscriber.typePrefix) || subscriber.offer(event)) continue;
      const message = `tail consumer fell more than ${bufferSize} events behind; reconnect and resume with Query`;
      leave(subscriber, "fell behind", new ConnectError(message, Code.ResourceExhausted));
    }
  };

  async function readAnnounced(): Promise<void> {
    if (reading) return;
    reading = true;
    try {
      while (announced.length > 0) {
        const seqs = [...new Set(announced.splice(0))];
        if (subscribers.size === 0) continue;
        try {
          const bySeq = new Map((await store.bySeq(seqs)).map((r) => [r.seq, r.event]));
          for (const seq of seqs) {
            const event = bySeq.get(seq);
            if (event) offer(event);
          }
        } catch (err) {
          log.error("tail could not read recorded events", { error: connectErrorFromPostgres(err).rawMessage });
          cutOffAll("read failed", new ConnectError("tail could not read recorded events; reconnect and resume with Query", Code.Unavailable));
        }
      }
    } finally {
      reading = false;
    }
  }

  const listen = () => {
    listening ??= sql
      .listen(
        auditChannel,
        (payload) => {
          if (!/^\d{1,19}$/.test(payload)) return;
          announced.push(payload);
          void readAnnounced();
        },
        // postgres.js listens again after its connection dropped; what was announced meanwhile is lost.
        () => {
          if (listens++ === 0) return;
          log.warn("tail listener reconnected; events may have been missed", { subscribers: subscribers.size });
          cutOffAll("listener reconnected", new ConnectError("tail may have missed events; reconnect and resume with Query", Code.Unavailable));
        },
      )
      .catch((err: unknown) => {
        listening = undefined;
        throw connectErrorFromPostgres(err);
      });
    return listening;
  };

  return {
    async *subscribe(typePrefix, signal) {
      if (closed) throw new ConnectError("the server is shutting down", Code.Unavailable);
      await listen();
      const subscriber = createTailSubscriber(typePrefix, bufferSize);
      // The stream may be blocked writing to a consumer that stopped reading: leave at once.
      const cancel = () => leave(subscriber, "cancelled");
      signal.addEventListener("abort", cancel, { once: true });
      try {
        if (signal.aborted || closed) return;
        subscribers.add(subscriber);
        log.debug("tail subscriber joined", { type_prefix: typePrefix, subscribers: subscribers.size });
        yield* subscriber.events;
      } finally {
        signal.removeEventListener("abort", cancel);
        leave(subscriber, "ended");
      }
    },
    get subscribers() {
      return subscribers.size;
    },
    async close() {
      closed = true;
      cutOffAll("closing", new ConnectError("the server is shutting down", Code.Unavailable));
      const current = listening;
      listening = undefined;
      await current?.then((l) => l.unlisten()).catch(() => undefined);
    },
  };
}
