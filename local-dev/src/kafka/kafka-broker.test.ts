import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import { probeKafka } from "./probe-kafka.js";
import { startKafka, type KafkaBroker } from "./start-kafka.js";

/** Listens on a free port until closed and answers anything as an HTTP server would. */
async function listen(): Promise<Server> {
  const server = createServer((socket) => socket.once("data", () => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n")));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Its own node on free ports, apart from the broker the test run shares through KAFKA_BROKERS,
// because starting and stopping is what this file tests.
describe("startKafka", () => {
  let broker: KafkaBroker;
  let port: number;
  let controllerPort: number;
  before(async () => {
    const servers = [await listen(), await listen()];
    [port, controllerPort] = servers.map(portOf) as [number, number];
    await Promise.all(servers.map(close));
    broker = await startKafka({ port, controllerPort, env: {} });
  });
  after(() => broker.stop());

  it("should start a node that kafkajs creates topics on and round-trips CloudEvents headers through a consumer group", async () => {
    assert.equal(broker.reused, false);
    assert.equal(broker.brokers, `127.0.0.1:${port}`);
    const kafka = new Kafka({ clientId: "kafka-broker-test", brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
    const consumer = kafka.consumer({ groupId: "kafka-broker-test", maxWaitTimeInMs: 100 });
    try {
      await admin.connect();
      assert.equal(await admin.createTopics({ topics: [{ topic: "orders", numPartitions: 1 }], waitForLeaders: true }), true);
      await producer.connect();
      const headers = { ce_specversion: "1.0", ce_id: "42", ce_source: "/orders", ce_type: "kinetic.order.created", "content-type": "application/json" };
      await producer.send({ topic: "orders", messages: [{ key: "order-42", value: '{"id":42}', headers }] });
      await consumer.connect();
      await consumer.subscribe({ topic: "orders", fromBeginning: true });
      const received = await new Promise<{ key: string; value: string; headers: Record<string, string> }>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ message }) =>
              resolve({
                key: String(message.key),
                value: String(message.value),
                headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)])),
              }),
          })
          .catch(reject);
      });
      assert.deepEqual(received, { key: "order-42", value: '{"id":42}', headers });
      await consumer.commitOffsets([{ topic: "orders", partition: 0, offset: "1" }]);
      const [offsets] = await admin.fetchOffsets({ groupId: "kafka-broker-test", topics: ["orders"] });
      assert.deepEqual(offsets?.partitions, [{ partition: 0, offset: "1", metadata: null }]);
    } finally {
      await Promise.all([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
    }
  });

  // The kafkajs requests closest to the versions KIP-896 removed in Kafka 4 (see ../../kafka/README.md).
  it("should serve kafkajs transactions and topic deletion", async () => {
    const kafka = new Kafka({ clientId: "kafka-broker-test", brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer({ transactionalId: "kafka-broker-test", maxInFlightRequests: 1, idempotent: true });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "ledger" }], waitForLeaders: true });
      await producer.connect();
      const transaction = await producer.transaction();
      await transaction.send({ topic: "ledger", messages: [{ value: "credit" }] });
      await transaction.commit();
      // The commit marker is written after commit() resolves; read_committed offsets then pass it.
      let high: string | undefined;
      for (const until = Date.now() + 5000; high !== "2" && Date.now() < until; await sleep(50)) {
        high = (await admin.fetchTopicOffsets("ledger"))[0]?.high;
      }
      assert.equal(high, "2", "one record and the commit marker");
      await admin.deleteTopics({ topics: ["ledger"] });
      assert.equal((await admin.listTopics()).includes("ledger"), false);
    } finally {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  });

  it("should reuse the broker that already answers on the port and leave it running", async () => {
    const again = await startKafka({ port, controllerPort, env: {} });
    assert.deepEqual({ brokers: again.brokers, reused: again.reused, pid: again.pid }, { brokers: broker.brokers, reused: true, pid: undefined });
    await again.stop();
    assert.equal(await probeKafka("127.0.0.1", port), "kafka");
  });

  it("should use KAFKA_BROKERS instead of looking at the port", async () => {
    const configured = await startKafka({ port: 1, env: { KAFKA_BROKERS: "kafka-0.example:9092,kafka-1.example:9092" } });
    assert.deepEqual({ brokers: configured.brokers, reused: configured.reused }, { brokers: "kafka-0.example:9092,kafka-1.example:9092", reused: true });
  });

  it("should refuse a port taken by something that is not Kafka", async () => {
    const http = await listen();
    try {
      await assert.rejects(startKafka({ port: portOf(http), env: {} }), /does not answer as Kafka/);
    } finally {
      await close(http);
    }
  });

  it("should stop the Java process and remove its temporary data directory", async () => {
    const { pid, dataDir } = broker;
    assert.ok(pid !== undefined && dataDir !== undefined && existsSync(dataDir));
    await broker.stop();
    assert.equal(isAlive(pid), false, `java process ${pid} is gone`);
    assert.equal(existsSync(dataDir), false, `${dataDir} is removed`);
    assert.equal(await probeKafka("127.0.0.1", port), "closed");
  });
});
