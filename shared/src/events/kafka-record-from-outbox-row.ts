import type { Message } from "kafkajs";
import { cloudEventFromOutboxRow } from "./cloud-event-from-outbox-row.js";
import type { OutboxRow } from "./outbox-table.js";

/**
 * The Kafka record of an outbox row, in the CloudEvents Kafka protocol binding's binary mode:
 * attributes and extensions as `ce_<name>` headers, `content-type` for the data's media type,
 * the data as the value, and `partitionkey` as the record key so one key's events stay ordered.
 */
export function kafkaRecordFromOutboxRow(row: OutboxRow): Message {
  const { datacontenttype, data, extensions, ...attributes } = cloudEventFromOutboxRow(row);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...attributes, ...extensions })) {
    if (value !== undefined) headers[`ce_${name}`] = value;
  }
  if (datacontenttype !== undefined) headers["content-type"] = datacontenttype;
  return { key: row.partition_key, value: row.data, headers };
}
