import { create, type JsonObject } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AuditEventSchema, type AuditEvent } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import type { Sql, TransactionSql } from "postgres";

/** The channel each recorded row's `seq` is announced on, after its transaction commits. */
export const auditChannel = "audit_events";

/** A recorded event with its position in the recording order. */
export interface AuditRecord {
  /** `audit_events.seq` (a bigint, as text). */
  readonly seq: string;
  readonly event: AuditEvent;
}

/** An event to record, taken from a delivered CloudEvent. */
export interface NewAuditEvent {
  source: string;
  id: string;
  type: string;
  subject: string;
  /** RFC 3339; undefined records the current time. */
  time: string | undefined;
  actor: string;
  traceId: string;
  data: JsonObject;
}

/** What Query filters on; every field narrows, an empty one does not. */
export interface AuditFilters {
  typePrefix: string;
  subject: string;
  /** Inclusive. */
  startTime: Date | undefined;
  /** Exclusive. */
  endTime: Date | undefined;
}

/** The SQL of the audit schema: one place for every query on `audit_events`. */
export interface AuditStore {
  /**
   * Records an event unless (source, id) already is, and announces it on `auditChannel` in the
   * same transaction. Returns false for a duplicate.
   */
  record(event: NewAuditEvent): Promise<boolean>;
  /** Events matching `filters` with seq greater than `after`, in seq order. */
  query(filters: AuditFilters, after: string | undefined, limit: number): Promise<AuditRecord[]>;
  /** The events with these seqs, in seq order; seqs that do not exist are skipped. */
  bySeq(seqs: readonly string[]): Promise<AuditRecord[]>;
}

interface AuditRow {
  seq: string;
  source: string;
  id: string;
  type: string;
  subject: string;
  time: Date;
  actor: string;
  trace_id: string;
  data: JsonObject;
  record_time: Date;
}

const columns = ["seq", "source", "id", "type", "subject", "time", "actor", "trace_id", "data", "record_time"] as const;

function recordFromRow(row: AuditRow): AuditRecord {
  const event = create(AuditEventSchema, {
    id: row.id,
    type: row.type,
    source: row.source,
    subject: row.subject,
    time: timestampFromDate(row.time),
    actor: row.actor,
    traceId: row.trace_id,
    data: row.data,
    recordTime: timestampFromDate(row.record_time),
  });
  return { seq: row.seq, event };
}

/** Internal: a LIKE pattern matching strings that start with `prefix` literally. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, "\\$&")}%`;
}

/** The store over a pool, or over one transaction (the event handler's `ctx.tx`). */
export function createAuditStore(sql: Sql | TransactionSql): AuditStore {
  return {
    async record(e) {
      const announced = await sql`
        with inserted as (
          insert into audit_events (source, id, type, subject, time, actor, trace_id, data)
          values (${e.source}, ${e.id}, ${e.type}, ${e.subject}, coalesce(${e.time ?? null}::timestamptz, now()),
                  ${e.actor}, ${e.traceId}, ${sql.json(e.data)})
          on conflict (source, id) do nothing
          returning seq
        )
        select pg_notify(${auditChannel}, seq::text) from inserted`;
      return announced.count > 0;
    },
    async query({ typePrefix, subject, startTime, endTime }, after, limit) {
      const rows = await sql<AuditRow[]>`
        select ${sql(columns)} from audit_events
        where seq > ${after ?? 0}
          ${typePrefix === "" ? sql`` : sql`and type like ${likePrefix(typePrefix)}`}
          ${subject === "" ? sql`` : sql`and subject = ${subject}`}
          ${startTime === undefined ? sql`` : sql`and time >= ${startTime}`}
          ${endTime === undefined ? sql`` : sql`and time < ${endTime}`}
        order by seq
        limit ${limit}`;
      return rows.map(recordFromRow);
    },
    async bySeq(seqs) {
      const rows = await sql<AuditRow[]>`
        select ${sql(columns)} from audit_events where seq = any(${seqs as string[]}::bigint[]) order by seq`;
      return rows.map(recordFromRow);
    },
  };
}
