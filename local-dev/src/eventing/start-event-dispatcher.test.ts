import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Message } from "kafkajs";
import { readTopic, testKafka, waitFor } from "@kinetic/runtime/testing";
import { startTestBroker } from "./test-broker.js";
import { startTestSubscriber } from "./test-subscriber.js";
import { testDelivery as delivery, testSubscription as subscription, triggersOf } from "./test-triggers.js";

const created = "kinetic.identity.user.created.v1";
const deleted = "kinetic.identity.user.deleted.v1";
const replied = "kinetic.mailer.welcome.sent.v1";

/** A function name no other test (or earlier run on the same Kafka) uses. */
const uniqueName = (base: string) => `${base}${randomBytes(3).toString("hex")}`;

let seq = 0;
/** A record as the outbox relay writes it: binary mode, keyed by the partition key. */
function eventRecord(type: string, init: { id?: string; key?: string; subject?: string; data?: unknown; headers?: Record<string, string> } = {}): Message {
  const key = init.key ?? "k1";
  const headers: Record<string, string> = {
    ce_specversion: "1.0",
    ce_id: init.id ?? `e${++seq}`,
    ce_source: "/functions/identity",
    ce_type: type,
    ce_time: "2026-01-02T03:04:05.000Z",
    ce_partitionkey: key,
    "content-type": "application/json",
    ...(init.subject === undefined ? {} : { ce_subject: init.subject }),
    ...init.headers,
  };
  return { key, value: Buffer.from(JSON.stringify(init.data ?? { seq })), headers };
}
const header = (h: Record<string, unknown> | undefined, name: string) => h?.[name]?.toString();

describe("startEventDispatcher", () => {
  it("should deliver a matching event over HTTP in binary mode, every attribute a ce- header and the data as body", async () => {
    const audit = uniqueName("audit");
    const subscriber = await startTestSubscriber();
    const broker = await startTestBroker({ triggers: triggersOf([{ name: audit, subscriptions: [subscription(created)] }]), subscribers: { [audit]: subscriber.url } });
    try {
      const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      await broker.produce(eventRecord(created, { id: "id-1", key: "u1", subject: "usér 1", data: { user: { id: "u1" } }, headers: { ce_traceparent: traceparent } }));
      const [delivered] = await waitFor(() => (subscriber.received.length > 0 ? subscriber.received : undefined), 15_000, "the delivery");
      const { headers, body } = delivered!;
      assert.equal(headers["ce-specversion"], "1.0");
      assert.equal(headers["ce-id"], "id-1");
      assert.equal(headers["ce-source"], "/functions/identity");
      assert.equal(headers["ce-type"], created);
      assert.equal(headers["ce-time"], "2026-01-02T03:04:05.000Z");
      assert.equal(headers["ce-subject"], "us%C3%A9r%201", "percent-encoded UTF-8");
      assert.equal(headers["ce-partitionkey"], "u1");
      assert.equal(headers["ce-traceparent"], traceparent);
      assert.equal(headers["content-type"], "application/json");
      assert.equal(headers["ce-datacontenttype"], undefined);
      assert.equal(headers["prefer"], "reply");
      assert.deepEqual(JSON.parse(body.toString()), { user: { id: "u1" } });
    } finally {
      await broker.close();
      await subscriber.close();
    }
  });

  it("should deliver only what a trigger's filters match, skip records that are not CloudEvents, and keep going", async () => {
    const audit = uniqueName("audit");
    const subscriber = await startTestSubscriber();
    const filtered = subscription(created, { filters: [{ prefix: { subject: "user-" } }, { suffix: { source: "/identity" } }] });
    const broker = await startTestBroker({ triggers: triggersOf([{ name: audit, subscriptions: [filtered] }]), subscribers: { [audit]: subscriber.url } });
    try {
      await broker.produce(
        eventRecord(created, { id: "yes-1", subject: "user-1" }),
        eventRecord(created, { id: "no-subject", subject: "admin-1" }),
        eventRecord(deleted, { id: "no-type", subject: "user-2" }),
        eventRecord(created, { id: "no-subject-at-all" }),
        { key: "k1", value: Buffer.from("a raw record, no ce_ headers") },
        eventRecord(created, { id: "no-source", subject: "user-3", headers: { ce_source: "/functions/auth" } }),
        eventRecord(created, { id: "yes-2", subject: "user-4" }),
      );
      await waitFor(() => (subscriber.received.length >= 2 ? true : undefined), 15_000, "two deliveries");
      assert.deepEqual(subscriber.received.map((d) => d.headers["ce-id"]), ["yes-1", "yes-2"], "same key, ordered: nothing else came before yes-2");
    } finally {
      await broker.close();
      await subscriber.close();
    }
  });

  it("should produce a reply from a 200 onto the broker's topic, where other triggers pick it up", async () => {
    const [mailer, audit] = [uniqueName("mailer"), uniqueName("audit")];
    const replyHeaders = { "ce-specversion": "1.0", "ce-id": "reply-1", "ce-source": `/functions/${mailer}`, "ce-type": replied, "content-type": "application/json" };
    const mailerSubscriber = await startTestSubscriber(() => ({ status: 200, headers: replyHeaders, body: '{"sent":true}' }));
    const auditSubscriber = await startTestSubscriber();
    const triggers = triggersOf([
      { name: mailer, subscriptions: [subscription(created)] },
      { name: audit, subscriptions: [subscription(replied)] },
    ]);
    const broker = await startTestBroker({ triggers, subscribers: { [mailer]: mailerSubscriber.url, [audit]: auditSubscriber.url } });
    try {
      await broker.produce(eventRecord(created, { id: "signup-1" }));
      const records = await readTopic(broker.topic, (rs) => rs.some((r) => header(r.headers, "ce_type") === replied));
      const reply = records.find((r) => header(r.headers, "ce_type") === replied)!;
      assert.equal(header(reply.headers, "ce_id"), "reply-1");
      assert.equal(header(reply.headers, "content-type"), "application/json");
      assert.equal(reply.value?.toString(), '{"sent":true}');
      const [chained] = await waitFor(() => (auditSubscriber.received.length > 0 ? auditSubscriber.received : undefined), 15_000, "the reply's delivery");
      assert.equal(chained?.headers["ce-id"], "reply-1");
      assert.equal(mailerSubscriber.received.length, 1);
    } finally {
      await broker.close();
      await Promise.all([mailerSubscriber.close(), auditSubscriber.close()]);
    }
  });

  it("should keep each partition's order under a slow, sometimes failing subscriber when ordered", async () => {
    const audit = uniqueName("audit");
    const failOnce = new Set<string>();
    const subscriber = await startTestSubscriber((d) => {
      const id = String(d.headers["ce-id"]);
      const fail = Number(id.split("-")[1]) % 4 === 0 && !failOnce.has(id);
      if (fail) failOnce.add(id);
      return { status: fail ? 503 : 202, delayMs: 2 + Math.floor(Math.random() * 15) };
    });
    const broker = await startTestBroker({ triggers: triggersOf([{ name: audit, subscriptions: [subscription(created)] }]), subscribers: { [audit]: subscriber.url } });
    try {
      const keys = ["alice", "bob", "carol"];
      const produced = Array.from({ length: 30 }, (_, i) => eventRecord(created, { id: `${keys[i % 3]}-${i}`, key: keys[i % 3]! }));
      await broker.produce(...produced);
      await waitFor(() => (subscriber.received.length >= 30 + failOnce.size && failOnce.size === 8 ? true : undefined), 20_000, "every delivery");
      for (const key of keys) {
        const attempts = subscriber.received.map((d) => String(d.headers["ce-id"])).filter((id) => id.startsWith(`${key}-`));
        const expected = produced.map((m) => header(m.headers as Record<string, unknown>, "ce_id")!).filter((id) => id.startsWith(`${key}-`));
        assert.deepEqual(attempts.filter((id, i) => attempts[i - 1] !== id), expected, `${key}: in order, a retry before the next event`);
      }
      assert.ok(subscriber.maxInFlight() <= 3, `at most one delivery per partition, saw ${subscriber.maxInFlight()}`);
    } finally {
      await broker.close();
      await subscriber.close();
    }
  });

  it("should run deliveries of one partition concurrently when unordered, and commit them all", async () => {
    const audit = uniqueName("audit");
    const subscriber = await startTestSubscriber(() => ({ status: 202, delayMs: 150 }));
    const triggers = triggersOf([{ name: audit, subscriptions: [subscription(created, { ordered: false })] }]);
    const broker = await startTestBroker({ triggers, subscribers: { [audit]: subscriber.url }, dispatcher: { unorderedConcurrency: 8 } });
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await broker.produce(...Array.from({ length: 20 }, () => eventRecord(created, { key: "one-key" })));
      const committed = async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: `kinetic-trigger-${triggers[0]!.metadata.name}`, topics: [broker.topic] });
        return offsets!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
      };
      for (const until = Date.now() + 15_000; (await committed()) < 20 && Date.now() < until; ) await sleep(50);
      assert.equal(await committed(), 20, "every record committed");
      assert.equal(subscriber.received.length, 20);
      assert.ok(subscriber.maxInFlight() > 1 && subscriber.maxInFlight() <= 8, `1 < in flight <= 8, saw ${subscriber.maxInFlight()}`);
    } finally {
      await admin.disconnect();
      await broker.close();
      await subscriber.close();
    }
  });

  it("should commit on close every outcome reached and never an offset past an event still retrying", async () => {
    const audit = uniqueName("audit");
    let healthy = false;
    const subscriber = await startTestSubscriber((d) => ({ status: d.headers["ce-id"] === "stuck" && !healthy ? 503 : 202 }));
    const retrying = subscription(created, { delivery: { ...delivery, retry: 1000, backoffPolicy: "linear", backoffDelay: "PT0.02S" } });
    const triggers = triggersOf([{ name: audit, subscriptions: [retrying] }]);
    // No commit on the timer during the test: only close() commits.
    const broker = await startTestBroker({ triggers, subscribers: { [audit]: subscriber.url }, partitions: 1, dispatcher: { commitIntervalMs: 600_000 } });
    const admin = testKafka().admin();
    await admin.connect();
    const ids = () => subscriber.received.map((d) => String(d.headers["ce-id"]));
    try {
      await broker.produce(eventRecord(created, { id: "done-1" }), eventRecord(created, { id: "done-2" }), eventRecord(created, { id: "stuck" }), eventRecord(created, { id: "after" }));
      await waitFor(() => (ids().filter((id) => id === "stuck").length >= 2 ? true : undefined), 15_000, "the stuck event's retries");
      await broker.restart();
      const [offsets] = await admin.fetchOffsets({ groupId: `kinetic-trigger-${triggers[0]!.metadata.name}`, topics: [broker.topic] });
      assert.deepEqual(
        offsets!.partitions.map(({ partition, offset }) => ({ partition, offset })),
        [{ partition: 0, offset: "2" }],
        "committed up to the stuck event, not past it",
      );
      healthy = true;
      await waitFor(() => (ids().includes("after") ? true : undefined), 15_000, "the rest after the restart");
      assert.deepEqual(
        ids().filter((id, i, all) => all[i - 1] !== id),
        ["done-1", "done-2", "stuck", "after"],
        "done-1 and done-2 once (their offsets were committed on close), then the stuck event again and what followed",
      );
    } finally {
      await admin.disconnect();
      await broker.close();
      await subscriber.close();
    }
  });

  it("should deliver an event produced twice twice: deduplication is the receiver's job", async () => {
    const audit = uniqueName("audit");
    const subscriber = await startTestSubscriber();
    const broker = await startTestBroker({ triggers: triggersOf([{ name: audit, subscriptions: [subscription(created)] }]), subscribers: { [audit]: subscriber.url } });
    try {
      const record = eventRecord(created, { id: "same" });
      await broker.produce(record, record);
      await waitFor(() => (subscriber.received.length >= 2 ? true : undefined), 15_000, "two deliveries");
      assert.deepEqual(subscriber.received.map((d) => d.headers["ce-id"]), ["same", "same"]);
    } finally {
      await broker.close();
      await subscriber.close();
    }
  });
});
