import type { Sql, TransactionSql } from "postgres";
import type { Logger } from "../log/logger.js";
import type { FunctionRedis } from "../redis/open-function-redis.js";
import type { CloudEvent } from "./cloud-event.js";
import { createPostgresInbox } from "./create-postgres-inbox.js";
import { createRedisInbox } from "./create-redis-inbox.js";

/** What became of a delivery the inbox was asked to process. */
export type InboxOutcome<T> = { readonly duplicate: true } | { readonly duplicate: false; readonly value: T };

/**
 * Deduplicates deliveries by (`source`, `id`): runs the work for the first delivery of an event
 * that succeeds, and reports later ones as duplicates without running it.
 *
 * @internal
 */
export interface Inbox {
  /** Where handled events are recorded, for the delivery log line. */
  readonly kind: "postgres" | "redis" | "none";
  /** Runs `work` (in the inbox's transaction with Postgres) unless the event was handled already; `work`'s errors propagate unchanged. */
  process<T>(event: CloudEvent, work: (tx: TransactionSql | undefined) => Promise<T>): Promise<InboxOutcome<T>>;
}

export interface CreateInboxOptions {
  /** With a pool, events are recorded in `kinetic_inbox` in the handler's transaction. Default none. */
  sql?: Sql | undefined;
  /** Without a pool but with Redis, events are recorded under `<name>:inbox:…`. Default none. */
  redis?: FunctionRedis | undefined;
  /** How long Redis remembers a handled event, in seconds. Required. */
  ttlSeconds: number;
  /** Where Redis trouble is reported. Required. */
  log: Logger;
}

/**
 * Picks the strongest deduplication the function has: Postgres, else Redis, else none (every
 * delivery runs the handler).
 *
 * @internal
 */
export function createInbox({ sql, redis, ttlSeconds, log }: CreateInboxOptions): Inbox {
  if (sql) return createPostgresInbox(sql);
  if (redis) return createRedisInbox({ redis, ttlSeconds, log });
  return {
    kind: "none",
    process: async (_event, work) => ({ duplicate: false, value: await work(undefined) }),
  };
}
