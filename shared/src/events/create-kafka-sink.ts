import type { Producer } from "kafkajs";
import { connectErrorFromKafka } from "./connect-error-from-kafka.js";
import type { EventSink } from "./event-sink.js";
import { kafkaRecordFromOutboxRow } from "./kafka-record-from-outbox-row.js";

export interface KafkaSinkOptions {
  /** A kafkajs producer, idempotent with one request in flight (order); `createKafkaProducer` makes one. Required. */
  producer: Producer;
  /** The topic events go to (the Knative Kafka Broker's). Required. */
  topic: string;
}

/**
 * Sends a batch as one Kafka request (acks from every in-sync replica): all of it is
 * acknowledged or none, and the record key (`partitionkey`) keeps a key's events in one
 * partition, in order.
 *
 * @example
 * const kafka = createKafkaProducer({ brokers, clientId: "identity", log });
 * startOutboxRelay({ sql, sink: createKafkaSink({ producer: kafka.producer, topic }), name: "identity", log });
 */
export function createKafkaSink({ producer, topic }: KafkaSinkOptions): EventSink {
  return {
    target: `kafka topic ${topic}`,
    async send(rows) {
      try {
        await producer.send({ topic, acks: -1, messages: rows.map(kafkaRecordFromOutboxRow) });
        return { delivered: rows };
      } catch (err) {
        return { delivered: [], error: connectErrorFromKafka(err) };
      }
    },
  };
}
