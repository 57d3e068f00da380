// The baseline's subscriber: one raw kafkajs consumer whose eachMessage "handles" an event by
// noting when it got it. POST /handled answers the [key, monotonic ms] pairs noted since the
// last call. Ready (POST /ready) once it joined its group.
// Environment: KAFKA_BROKERS, BENCH_TOPIC, BENCH_GROUP, PORT (the control port).
import { Kafka, logLevel } from "kafkajs";
import { monotonicMs } from "../monotonic-ms.mjs";
import { onSignal, serveControl } from "./control-server.mjs";

const kafka = new Kafka({ clientId: "kinetic-bench-consumer", brokers: process.env.KAFKA_BROKERS.split(","), logLevel: logLevel.ERROR });
// The fetch wait of the runtime's dispatcher, so both consumers poll the broker alike.
const consumer = kafka.consumer({ groupId: process.env.BENCH_GROUP, maxWaitTimeInMs: 250 });
const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
const handled = [];
await consumer.connect();
await consumer.subscribe({ topic: process.env.BENCH_TOPIC, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    handled.push([message.key.toString(), monotonicMs()]);
  },
});
await joined;

const server = await serveControl({ "/handled": async () => handled.splice(0) });
onSignal(async () => {
  server.close();
  await consumer.disconnect();
});
