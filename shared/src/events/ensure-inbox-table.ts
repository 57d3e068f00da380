import type { Sql } from "postgres";
import { connectErrorFromPostgres } from "../data/connect-error-from-postgres.js";

/** SQLSTATEs of a concurrent `create … if not exists` that lost the race: the object exists now. */
const createdConcurrently = new Set(["23505", "42P07"]);

/**
 * Creates `kinetic_inbox`, the record of events a function has handled, in the function's own
 * schema (the pool's search path) if it is not there yet: `(source, id)` is the primary key that
 * deduplicates deliveries, `received_at` is indexed so old rows can be pruned. Safe to call from
 * every instance at start, concurrently. The runtime calls it when the function has Postgres and
 * subscriptions; failures are `ConnectError`s from `connectErrorFromPostgres`.
 *
 * @example
 * await ensureInboxTable(sql);
 */
export async function ensureInboxTable(sql: Sql): Promise<void> {
  try {
    await sql`
      create table if not exists kinetic_inbox (
        source text not null,
        id text not null,
        type text not null,
        received_at timestamptz not null default now(),
        primary key (source, id)
      )`;
    await sql`create index if not exists kinetic_inbox_received_at on kinetic_inbox (received_at)`;
  } catch (err) {
    if (createdConcurrently.has(String((err as { code?: unknown }).code))) return;
    throw connectErrorFromPostgres(err);
  }
}
