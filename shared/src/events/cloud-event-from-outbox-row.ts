import type { CloudEvent } from "./cloud-event.js";
import type { OutboxRow } from "./outbox-table.js";

/**
 * The CloudEvent an outbox row stands for, the one place its attributes are decided, whatever
 * the transport: the row's columns as attributes, `partitionkey` (Kafka's record key, the
 * Broker's ordering key), then the extensions the publisher stored (`traceparent`,
 * `tracestate`, `actor`).
 *
 * @example
 * const { headers, body } = cloudEventToHttp(cloudEventFromOutboxRow(row));
 */
export function cloudEventFromOutboxRow(row: OutboxRow): CloudEvent {
  return {
    specversion: "1.0",
    id: row.id,
    source: row.source,
    type: row.type,
    subject: row.subject ?? undefined,
    time: row.time.toISOString(),
    datacontenttype: row.content_type,
    data: row.data,
    extensions: { partitionkey: row.partition_key, ...row.extensions },
  };
}
