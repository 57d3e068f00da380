import type { Message } from "kafkajs";
import type { BrokerEvent } from "./broker-event.js";

/**
 * The Kafka record of an event in binary mode, as the Kafka Broker and KafkaSink (content mode
 * binary) write it: `ce_<name>` headers for every attribute but `datacontenttype`, which is
 * `content-type`, and the data as the value.
 *
 * @example
 * await producer.send({ topic, messages: [kafkaMessageFromBrokerEvent(event, null)] });
 */
export function kafkaMessageFromBrokerEvent(event: BrokerEvent, key: string | null): Message {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.attributes)) {
    headers[name === "datacontenttype" ? "content-type" : `ce_${name}`] = value;
  }
  return { key, value: event.data, headers };
}
