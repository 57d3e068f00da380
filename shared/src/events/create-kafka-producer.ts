import { Kafka, logLevel, Partitioners, type LogEntry, type Producer } from "kafkajs";
import type { Logger } from "../log/logger.js";
import { connectErrorFromKafka } from "./connect-error-from-kafka.js";

export interface KafkaProducerOptions {
  /** Comma-separated bootstrap servers (KAFKA_BROKERS). Required. */
  brokers: string;
  /** The client id: the function's name. Required. */
  clientId: string;
  log: Logger;
  /** Pause between connection attempts while Kafka is unreachable. Default 2000 ms. */
  retryMs?: number;
}

/** A producer that connects in the background and keeps trying, so Kafka never blocks start. */
export interface KafkaProducer {
  readonly producer: Producer;
  close(): Promise<void>;
}

/**
 * An idempotent kafkajs producer with one request in flight per connection (so retries cannot
 * reorder a key's records), logging through the function's logger at warn and above.
 */
export function createKafkaProducer({ brokers, clientId, log, retryMs = 2000 }: KafkaProducerOptions): KafkaProducer {
  const kafka = new Kafka({
    clientId,
    brokers: brokers.split(",").map((b) => b.trim()),
    logLevel: logLevel.ERROR, // its connection retries are summarised by our own warn-once lines
    logCreator: () => (entry: LogEntry) => log.warn(`kafka: ${entry.log.message}`, { kafka_logger: entry.namespace }),
  });
  // Few retries: a failed send leaves the events in the outbox, and the relay tries again itself.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  let closed = false;
  let warned = false;
  const connect = async (): Promise<void> => {
    while (!closed) {
      try {
        await producer.connect();
        if (warned) log.info("connected to kafka", { brokers });
        return;
      } catch (err) {
        if (!warned) log.warn("cannot connect to kafka; events wait in the outbox", { brokers, error: connectErrorFromKafka(err).message });
        warned = true;
        await new Promise((r) => setTimeout(r, retryMs).unref());
      }
    }
  };
  const connecting = connect();
  return {
    producer,
    async close() {
      closed = true;
      await connecting;
      await producer.disconnect().catch(() => undefined);
    },
  };
}
