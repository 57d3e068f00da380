import type { Sql } from "postgres";

/**
 * Creates the function's outbox (in its own schema) if missing. Events are written here in the
 * transaction of the change they describe, and relayed to the broker after commit, in `seq` order.
 */
export async function ensureOutboxTable(sql: Sql): Promise<void> {
  // CREATE TABLE IF NOT EXISTS races with itself (pg_type unique violation) when instances
  // cold-start together: serialise it, per schema.
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('kinetic.outbox-table.' || current_schema()))`; // not the relay's leader lock
    await tx`
    create table if not exists kinetic_outbox (
      seq bigserial primary key,
      id text not null,
      type text not null,
      source text not null,
      subject text,
      partition_key text not null,
      time timestamptz not null,
      content_type text not null,
      data bytea not null,
      extensions jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now()
    )`;
  });
}

/** A row of `kinetic_outbox`: one committed event waiting for the relay. */
export interface OutboxRow {
  seq: string;
  id: string;
  type: string;
  source: string;
  subject: string | null;
  partition_key: string;
  time: Date;
  content_type: string;
  data: Buffer;
  extensions: Record<string, string>;
}

/** The NOTIFY channel that wakes the relay when a transaction with events commits. */
export const outboxChannel = "kinetic_outbox";
