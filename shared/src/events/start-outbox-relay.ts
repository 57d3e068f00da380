import type { ReservedSql, Sql } from "postgres";
import type { Logger } from "../log/logger.js";
import type { EventSink } from "./event-sink.js";
import { outboxChannel, type OutboxRow } from "./outbox-table.js";

export interface OutboxRelayOptions {
  /** The function's pool (its schema holds `kinetic_outbox`). Required. */
  sql: Sql;
  /** Where events go: `createKafkaSink` or `createHttpSink`. Required. */
  sink: EventSink;
  /** The function's name: one relay per function holds its lock. Required. */
  name: string;
  log: Logger;
  /** Safety-net poll when no NOTIFY arrives, and standby retry for the lock. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Rows handed to the sink at once (one Kafka request). Default 200. */
  batchSize?: number;
}

export interface OutboxRelay {
  /** Relays whatever is in the outbox now; resolves when it is empty (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Moves committed events from the outbox to the sink (Kafka, or a Broker ingress over HTTP), at
 * least once and in order per partition key: one instance of the function holds an advisory
 * lock and relays (the others stand by), woken by NOTIFY at commit and by a poll as safety
 * net. Rows are deleted only after the sink acknowledged them, so a crash between commit and
 * relay loses nothing; it may send an event twice, which consumers deduplicate by (source, id).
 * While the sink fails, the rows stay and the next poll tries again; that is logged once.
 *
 * @example
 * const relay = startOutboxRelay({ sql, sink: createHttpSink({ url: config.K_SINK }), name: "identity", log });
 */
export function startOutboxRelay({ sql, sink, name, log, pollIntervalMs = 1000, batchSize = 200 }: OutboxRelayOptions): OutboxRelay {
  let lock: ReservedSql | undefined;
  let closed = false;
  let draining: Promise<void> | undefined;
  let failing = false;
  let unlisten: (() => Promise<void>) | undefined;

  const acquire = async (): Promise<boolean> => {
    if (lock) return true;
    const reserved = await sql.reserve();
    const [row] = await reserved<[{ ok: boolean }]>`select pg_try_advisory_lock(hashtext(${`kinetic.outbox.${name}`})) as ok`;
    if (row?.ok) {
      lock = reserved;
      log.info("outbox relay active", { sink: sink.target });
      return true;
    }
    reserved.release();
    return false;
  };

  const drain = async () => {
    if (closed || !(await acquire())) return;
    for (;;) {
      const rows = await sql<OutboxRow[]>`select * from kinetic_outbox order by seq limit ${batchSize}`;
      if (rows.length === 0) return;
      const { delivered, error } = await sink.send(rows);
      // Exactly the rows sent, never a range: seq is taken at insert but rows become visible at
      // commit, so a lower seq may commit while this batch is in flight and must not be swept.
      if (delivered.length > 0) await sql`delete from kinetic_outbox where seq = any(${delivered.map((r) => r.seq)}::bigint[])`;
      if (error !== undefined) {
        if (!failing) log.warn("cannot relay events; they stay in the outbox", { sink: sink.target, error: error.message });
        failing = true;
        return;
      }
      if (failing) log.info("relaying events again", { sink: sink.target });
      failing = false;
    }
  };

  // Kicks coalesce: NOTIFYs arriving during a drain ask for one more pass, never a queue of them,
  // and while the sink is failing the next attempt waits for the poll instead of spinning.
  let again = false;
  const kick = (): Promise<void> => {
    if (draining) {
      again = true;
      return draining;
    }
    draining = (async () => {
      do {
        again = false;
        await drain().catch((err: unknown) => log.warn("outbox relay failed; retrying", { error: err }));
      } while (again && !closed && !failing);
    })().finally(() => {
      draining = undefined;
    });
    return draining;
  };
  const timer = setInterval(kick, pollIntervalMs);
  timer.unref();
  void sql.listen(outboxChannel, () => void kick()).then(
    (listener) => {
      unlisten = listener.unlisten;
      if (closed) void unlisten();
    },
    (err: unknown) => log.warn("cannot LISTEN for outbox commits; polling only", { error: err }),
  );
  void kick();

  return {
    async flush() {
      for (;;) {
        await kick();
        const [{ count }] = await sql<[{ count: number }]>`select count(*)::int as count from kinetic_outbox`;
        if (count === 0 || closed || failing || !lock) return;
      }
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await draining;
      await unlisten?.();
      if (lock) {
        await lock`select pg_advisory_unlock(hashtext(${`kinetic.outbox.${name}`}))`.catch(() => undefined);
        lock.release();
        lock = undefined;
      }
    },
  };
}
