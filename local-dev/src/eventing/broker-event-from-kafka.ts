import type { IHeaders } from "kafkajs";
import { brokerEventOf, type BrokerEvent } from "./broker-event.js";
import { brokerEventFromJson } from "./broker-event-from-json.js";

/** The parts of a Kafka record a CloudEvent is read from. */
export interface KafkaRecordParts {
  readonly headers?: IHeaders | undefined;
  readonly value: Buffer | null;
}

/**
 * Reads the CloudEvent of a Kafka record as the CloudEvents Kafka binding defines it, like the
 * Kafka Broker's dispatcher: structured mode when `content-type` is
 * `application/cloudevents+json`, else binary mode, attributes from `ce_<name>` headers (UTF-8,
 * not percent-encoded) and `content-type` as `datacontenttype`, the value as data (a null value
 * is empty data). Throws a `TypeError` for a record that is not a CloudEvent: one without
 * `ce_specversion` (a raw record) or with missing required attributes.
 *
 * @example
 * const event = brokerEventFromKafka(message); // message from a kafkajs consumer
 */
export function brokerEventFromKafka(record: KafkaRecordParts): BrokerEvent {
  const headers = record.headers ?? {};
  const contentType = headerText(headers["content-type"]);
  const value = record.value ?? Buffer.alloc(0);
  if (contentType !== undefined && /^application\/cloudevents\+json\b/i.test(contentType)) return brokerEventFromJson(value);
  const attributes: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const text = headerText(raw);
    if (name.startsWith("ce_") && text !== undefined) attributes[name.slice(3)] = text;
  }
  if (attributes["specversion"] === undefined) throw new TypeError("not a CloudEvent: the record has no ce_specversion header");
  if (contentType !== undefined) attributes["datacontenttype"] = contentType;
  return brokerEventOf(attributes, value);
}

/** Internal: a header's value as text; the first of repeated values. */
function headerText(raw: IHeaders[string]): string | undefined {
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}
