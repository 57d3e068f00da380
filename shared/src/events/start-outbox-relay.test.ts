import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Partitioners, type Producer } from "kafkajs";
import postgres, { type Sql } from "postgres";
import { UserCreatedSchema, UserDeletedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { createLogger } from "../log/logger.js";
import { createTestDatabase, type TestDatabase } from "../testing/use-database.js";
import { createTestTopic, readTopic, testKafka } from "../testing/use-kafka.js";
import { waitFor } from "../testing/wait-for.js";
import { createEventPublisher } from "./create-event-publisher.js";
import { createKafkaSink } from "./create-kafka-sink.js";
import { ensureOutboxTable } from "./outbox-table.js";
import { startOutboxRelay, type OutboxRelay } from "./start-outbox-relay.js";

const log = createLogger({ level: "error" });
const header = (h: Record<string, unknown> | undefined, name: string) => h?.[name]?.toString();

describe("outbox relay", () => {
  let db: TestDatabase;
  let sql: Sql;
  let producer: Producer;
  const publisher = createEventPublisher({ source: "/functions/identity" });
  before(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 4, onnotice: () => {} });
    await ensureOutboxTable(sql);
    producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });
  after(async () => {
    await producer.disconnect();
    await sql.end();
    await db.drop();
  });
  const relayTo = (topic: string): OutboxRelay => startOutboxRelay({ sql, sink: createKafkaSink({ producer, topic }), name: "identity", log, pollIntervalMs: 200 });

  it("should publish a committed event as a CloudEvents binary-mode record keyed by subject", async () => {
    const topic = await createTestTopic("outbox");
    const relay = relayTo(topic);
    try {
      const id = await sql.begin((tx) => publisher.publish(tx, UserCreatedSchema, { user: { id: "u1", email: "a@b.co" } }, { subject: "u1" }));
      const [record] = await readTopic(topic, 1);
      assert.equal(record?.key?.toString(), "u1");
      assert.equal(header(record?.headers, "ce_id"), id);
      assert.equal(header(record?.headers, "ce_type"), "kinetic.identity.user.created.v1");
      assert.equal(header(record?.headers, "ce_source"), "/functions/identity");
      assert.equal(header(record?.headers, "ce_subject"), "u1");
      assert.equal(header(record?.headers, "ce_specversion"), "1.0");
      assert.equal(header(record?.headers, "content-type"), "application/json");
      assert.deepEqual(JSON.parse(record!.value!.toString()), { user: { id: "u1", email: "a@b.co" } });
    } finally {
      await relay.close();
    }
  });

  it("should publish nothing for a transaction that rolls back", async () => {
    const topic = await createTestTopic("outbox-rollback");
    const relay = relayTo(topic);
    try {
      await sql
        .begin(async (tx) => {
          await publisher.publish(tx, UserDeletedSchema, { userId: "ghost" }, { subject: "ghost" });
          throw new Error("change aborted");
        })
        .catch(() => undefined);
      await sql.begin((tx) => publisher.publish(tx, UserDeletedSchema, { userId: "real" }, { subject: "real" }));
      const records = await readTopic(topic, 1);
      await relay.flush();
      assert.deepEqual(records.map((r) => r.key?.toString()), ["real"]);
      const [{ count }] = await sql<[{ count: number }]>`select count(*)::int as count from kinetic_outbox`;
      assert.equal(count, 0, "relayed rows leave the outbox");
    } finally {
      await relay.close();
    }
  });

  it("should relay an event whose transaction commits while a later one is being sent", async () => {
    // seq is taken at insert, visibility comes at commit: the earlier transaction's row appears
    // only after the relay read the later one, and must not be swept by that batch's delete.
    const sent: string[] = [];
    let releaseSend!: () => void;
    let sendStarted!: () => void;
    const started = new Promise<void>((resolve) => (sendStarted = resolve));
    const gate = new Promise<void>((resolve) => (releaseSend = resolve));
    const relay = startOutboxRelay({
      sql,
      name: "interleaved",
      log,
      pollIntervalMs: 100,
      sink: {
        target: "test",
        async send(rows) {
          sendStarted();
          await gate;
          sent.push(...rows.map((r) => r.subject ?? ""));
          return { delivered: rows };
        },
      },
    });
    try {
      let commitEarly!: () => void;
      const early = sql.begin(async (tx) => {
        await publisher.publish(tx, UserDeletedSchema, { userId: "early" }, { subject: "early" });
        await new Promise<void>((resolve) => (commitEarly = resolve));
      });
      await waitFor(() => (commitEarly === undefined ? undefined : true), 5000, "the early transaction to insert its event");
      await sql.begin((tx) => publisher.publish(tx, UserDeletedSchema, { userId: "late" }, { subject: "late" }));
      await started;
      commitEarly();
      await early;
      releaseSend();
      await waitFor(() => sent.includes("early") || undefined, 10_000, "the early event to be relayed");
      await relay.flush();
      assert.deepEqual(sent, ["late", "early"]);
    } finally {
      releaseSend();
      await relay.close();
    }
  });

  it("should keep each subject's events in order across a burst of 1,000", async () => {
    const topic = await createTestTopic("outbox-order", 3);
    const subjects = ["a", "b", "c", "d", "e"];
    for (let i = 0; i < 1000; i += 50) {
      await sql.begin(async (tx) => {
        for (let j = i; j < i + 50; j++) {
          const subject = subjects[j % subjects.length]!;
          await publisher.publish(tx, UserDeletedSchema, { userId: `${subject}-${j}` }, { subject });
        }
      });
    }
    const relay = relayTo(topic);
    try {
      const records = await readTopic(topic, 1000, 30_000);
      for (const subject of subjects) {
        const sequence = records.filter((r) => r.key?.toString() === subject).map((r) => Number(JSON.parse(r.value!.toString()).userId.split("-")[1]));
        assert.equal(sequence.length, 200);
        assert.deepEqual(sequence, [...sequence].sort((x, y) => x - y), `subject ${subject} in order`);
      }
    } finally {
      await relay.close();
    }
  });

  it("should let only one relay of a function publish at a time", async () => {
    const topic = await createTestTopic("outbox-leader");
    const first = relayTo(topic);
    const second = relayTo(topic);
    try {
      for (let i = 0; i < 20; i++) await sql.begin((tx) => publisher.publish(tx, UserDeletedSchema, { userId: `u${i}` }, { subject: "same" }));
      await readTopic(topic, 20);
      await first.flush();
      await second.flush();
      const admin = testKafka().admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.disconnect();
      assert.equal(offsets.reduce((sum, p) => sum + Number(p.high), 0), 20, "every event on the topic exactly once");
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe("outbox table", () => {
  it("should be created once by instances starting together", async () => {
    const db = await createTestDatabase();
    const pools = Array.from({ length: 4 }, () => postgres(db.url, { max: 1, onnotice: () => {} }));
    try {
      await Promise.all(pools.map((pool) => ensureOutboxTable(pool)));
      const [{ count }] = await pools[0]!<[{ count: number }]>`select count(*)::int as count from kinetic_outbox`;
      assert.equal(count, 0);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await db.drop();
    }
  });
});
