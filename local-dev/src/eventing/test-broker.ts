import { Partitioners, type Message, type Producer } from "kafkajs";
import { createLogger } from "@kinetic/runtime";
import { createTestTopic, testKafka, testKafkaBrokers } from "@kinetic/runtime/testing";
import type { DispatcherTrigger } from "./dispatcher-trigger.js";
import { startEventDispatcher, type EventDispatcher, type EventDispatcherOptions } from "./start-event-dispatcher.js";

/** A local broker for one test: fresh topics, a producer and the dispatcher. */
export interface TestBroker {
  readonly topic: string;
  readonly deadLetterTopic: string;
  /** Writes records to the broker's topic, as the outbox relay does. */
  produce(...messages: Message[]): Promise<void>;
  /** Stops the dispatcher (deliveries in flight are aborted) and starts it again. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestBrokerOptions {
  /** The triggers to run, usually from `eventingManifests`. Required. */
  triggers: readonly DispatcherTrigger[];
  /** Base URL of each subscribing function by name; a name missing here cannot be resolved. Required. */
  subscribers: Readonly<Record<string, string>>;
  /** Partitions of the broker's topic. Default 3. */
  partitions?: number;
  /** Anything else for `startEventDispatcher`. Default none. */
  dispatcher?: Partial<EventDispatcherOptions>;
}

/**
 * Creates a broker topic and a dead-letter topic with unique names on the test run's Kafka and
 * starts the dispatcher on them (consumer groups begin at the topics' end). For the
 * dispatcher's tests only.
 *
 * @example
 * const broker = await startTestBroker({ triggers, subscribers: { audit: subscriber.url } });
 */
export async function startTestBroker({ triggers, subscribers, partitions = 3, dispatcher: extra = {} }: TestBrokerOptions): Promise<TestBroker> {
  const topic = await createTestTopic("broker", partitions);
  const deadLetterTopic = await createTestTopic("dead-letters", 1);
  const producer: Producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const start = () =>
    startEventDispatcher({
      brokers: testKafkaBrokers().join(","),
      topic,
      deadLetterTopic,
      triggers,
      resolve: async (fn) => subscribers[fn] ?? Promise.reject(new Error(`function ${fn} is not running`)),
      log: createLogger({ level: "error" }),
      ...extra,
    });
  let dispatcher: EventDispatcher = await start();
  return {
    topic,
    deadLetterTopic,
    produce: async (...messages) => void (await producer.send({ topic, messages })),
    async restart() {
      await dispatcher.close();
      dispatcher = await start();
    },
    async close() {
      await dispatcher.close();
      await producer.disconnect();
    },
  };
}
