import type { Message } from "kafkajs";

/** A row of `kinetic_outbox`. */
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

/**
 * The Kafka record of an outbox row, in the CloudEvents Kafka protocol binding's binary mode:
 * attributes and extensions as `ce_<name>` headers, `content-type` for the data's media type,
 * the data as the value, and `partitionkey` as the record key so one key's events stay ordered.
 */
export function kafkaRecordFromOutboxRow(row: OutboxRow): Message {
  const headers: Record<string, string> = {
    ce_specversion: "1.0",
    ce_id: row.id,
    ce_source: row.source,
    ce_type: row.type,
    ce_time: row.time.toISOString(),
    ce_partitionkey: row.partition_key,
    "content-type": row.content_type,
  };
  if (row.subject !== null) headers["ce_subject"] = row.subject;
  for (const [name, value] of Object.entries(row.extensions)) headers[`ce_${name}`] = value;
  return { key: row.partition_key, value: row.data, headers };
}
