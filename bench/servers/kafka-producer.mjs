// The baseline's publisher: a raw kafkajs producer sending each event on its own, as an
// application would, keyed by the user id, acks from all replicas. POST /publish
// { count, rate, concurrency } runs the publish loop and answers its records.
// Environment: KAFKA_BROKERS, BENCH_TOPIC, PORT (the control port).
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { benchUser } from "../bench-user.mjs";
import { runPublishLoop } from "../publish-loop.mjs";
import { onSignal, serveControl } from "./control-server.mjs";

const topic = process.env.BENCH_TOPIC;
const kafka = new Kafka({ clientId: "kinetic-bench-producer", brokers: process.env.KAFKA_BROKERS.split(","), logLevel: logLevel.ERROR });
// The partitioner the runtime's relay uses (Java's murmur2), so keys land where they would.
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();

/** Sends UserCreated number `index` as JSON; resolves its key, the user id. */
async function publish(index) {
  const user = benchUser(index);
  const time = user.createTime.toISOString();
  const value = JSON.stringify({ user: { ...user, createTime: time, updateTime: time } });
  await producer.send({ topic, acks: -1, messages: [{ key: user.id, value }] });
  return user.id;
}

const server = await serveControl({ "/publish": (spec) => runPublishLoop({ ...spec, publish }) });
onSignal(async () => {
  server.close();
  await producer.disconnect();
});
