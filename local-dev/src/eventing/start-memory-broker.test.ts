import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuditService } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { createLogger, registryFromEnv } from "@kinetic/runtime";
import { createTestDatabase, spawnFunction, waitFor, type SpawnedFunction } from "@kinetic/runtime/testing";
import { startLocalRegistry } from "../registry/local-registry.js";
import type { DispatcherTrigger } from "./dispatcher-trigger.js";
import { loadEventingManifests } from "./load-eventing-manifests.js";
import { startMemoryBroker, type MemoryBroker, type MemoryBrokerOptions } from "./start-memory-broker.js";
import { startTestSubscriber } from "./test-subscriber.js";
import { testDelivery as delivery, testSubscription as subscription, triggersOf } from "./test-triggers.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const created = "kinetic.identity.user.created.v1";
const replied = "kinetic.mailer.welcome.sent.v1";


/** A broker whose triggers reach the named test subscribers; `lines` collects its log. */
async function startBroker(
  triggers: readonly DispatcherTrigger[],
  subscribers: Record<string, string>,
  extra: Partial<MemoryBrokerOptions> = {},
): Promise<MemoryBroker & { lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: "info", write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const resolve = async (fn: string) => subscribers[fn] ?? Promise.reject(new Error(`function ${fn} is not running`));
  return Object.assign(await startMemoryBroker({ triggers, resolve, log, resolveRetryMs: 50, ...extra }), { lines });
}

let seq = 0;
/** A CloudEvent in binary mode, as the outbox relay POSTs it. */
const ceHeaders = (type: string, init: Record<string, string> = {}) => ({
  "ce-specversion": "1.0",
  "ce-id": `e${++seq}`,
  "ce-source": "/functions/identity",
  "ce-type": type,
  "content-type": "application/json",
  ...init,
});
const post = (url: string, headers: Record<string, string>, body = "{}") => fetch(url, { method: "POST", headers, body });
const gaps = (at: number[]) => at.slice(1).map((t, i) => t - at[i]!);

describe("startMemoryBroker", () => {
  it("should carry identity's event to audit, both spawned without Kafka, with the caller's trace id", async () => {
    const db = await createTestDatabase();
    const registry = await startLocalRegistry({ checkIntervalMs: 200 });
    const manifests = loadEventingManifests(join(root, "knative/base/eventing"));
    const resolver = registryFromEnv({ KINETIC_REGISTRY_URL: registry.url });
    const broker = await startMemoryBroker({
      triggers: manifests.triggers,
      brokerDelivery: manifests.brokerDelivery,
      namespace: manifests.namespace,
      broker: manifests.broker,
      resolve: (fn) => resolver.resolve(fn),
      log: createLogger({ level: "error" }),
    });
    // The test runner sets KAFKA_BROKERS; empty reads as unset, so K_SINK decides.
    const env = { DATABASE_URL: db.url, KINETIC_REGISTRY_URL: registry.url, K_SINK: broker.url, KAFKA_BROKERS: "", IDENTITY_SCRYPT_LOG_N: "10", IDENTITY_SCRYPT_P: "1" };
    const spawned: SpawnedFunction[] = [];
    try {
      assert.match(broker.url, /^http:\/\/127\.0\.0\.1:\d+\/default\/kinetic$/);
      spawned.push(...(await Promise.all([spawnFunction("functions/identity/src/index.ts", env), spawnFunction("functions/audit/src/index.ts", env)])));
      const [identity, audit] = spawned as [SpawnedFunction, SpawnedFunction];
      const traceId = "0af7651916cd43dd8448eb211c80319c";
      const identityClient = createClient(IdentityService, createConnectTransport({ baseUrl: identity.url, httpVersion: "1.1" }));
      const { user } = await identityClient.createUser(
        { email: "memory@example.com", displayName: "Memory", password: "password1" },
        { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } },
      );
      const auditClient = createClient(AuditService, createConnectTransport({ baseUrl: audit.url, httpVersion: "1.1" }));
      const recorded = await waitFor(async () => (await auditClient.query({ subject: user!.id })).events[0], 30_000, "the audit record of the new user");
      assert.equal(recorded.type, created);
      assert.equal(recorded.source, "/functions/identity");
      assert.equal(recorded.traceId, traceId, "the trace travels through the outbox, the ingress and the delivery");
      assert.equal((recorded.data as { user: { email: string } }).user.email, "memory@example.com");
      const relay = identity.logs.find((l) => l["msg"] === "outbox relay active");
      assert.equal(relay?.["sink"], broker.url, "identity relays to K_SINK, not to Kafka");
    } finally {
      for (const fn of spawned) fn.child.kill("SIGTERM");
      await Promise.all(spawned.map((fn) => fn.exited));
      await broker.close();
      await registry.close();
      await db.drop();
    }
  });

  it("should keep events in the publisher's outbox while a trigger is full, and deliver every one later", async () => {
    const db = await createTestDatabase();
    const subscriber = await startTestSubscriber(() => ({ status: 202, delayMs: 50 }));
    const manifests = loadEventingManifests(join(root, "knative/base/eventing"));
    const broker = await startBroker(manifests.triggers, { audit: subscriber.url }, { brokerDelivery: manifests.brokerDelivery, queueCapacity: 3 });
    const env = { DATABASE_URL: db.url, K_SINK: broker.url, KAFKA_BROKERS: "", IDENTITY_SCRYPT_LOG_N: "10", IDENTITY_SCRYPT_P: "1" };
    const identity = await spawnFunction("functions/identity/src/index.ts", env);
    try {
      const client = createClient(IdentityService, createConnectTransport({ baseUrl: identity.url, httpVersion: "1.1" }));
      const emails = Array.from({ length: 12 }, (_, i) => `burst${i}@example.com`);
      await Promise.all(emails.map((email) => client.createUser({ email, displayName: "Burst", password: "password1" })));
      await waitFor(() => (subscriber.received.length >= 12 ? true : undefined), 60_000, "every event delivered");
      const delivered = subscriber.received.map((d) => (JSON.parse(d.body.toString()) as { user: { email: string } }).user.email);
      assert.deepEqual(new Set(delivered), new Set(emails), "nothing lost");
      assert.equal(delivered.length, 12, "nothing delivered twice");
      assert.ok(identity.logs.some((l) => l["msg"] === "cannot relay events; they stay in the outbox" && /answered 429/.test(String(l["error"]))), "the ingress pushed back");
    } finally {
      identity.child.kill("SIGTERM");
      await identity.exited;
      await broker.close();
      await subscriber.close();
      await db.drop();
    }
  });

  it("should retry a failing subscriber with back-off, then keep the dead letter with Knative's extensions", async () => {
    const body = '{"code":"internal","message":"database is down"}';
    const subscriber = await startTestSubscriber(() => ({ status: 500, headers: { "content-type": "application/json", "kne-reason": "database" }, body }));
    const retrying = { ...delivery, retry: 2, backoffDelay: "PT0.1S" };
    const broker = await startBroker(triggersOf([{ name: "audit", subscriptions: [subscription(created, { delivery: retrying })] }]), { audit: subscriber.url });
    try {
      const response = await post(broker.url, ceHeaders(created, { "ce-id": "doomed", "ce-subject": "user-7", "ce-partitionkey": "user-7" }), '{"user":{"id":"user-7"}}');
      assert.equal(response.status, 202);
      const [dead] = await waitFor(() => (broker.deadLetters().length > 0 ? broker.deadLetters() : undefined), 15_000, "the dead letter");
      assert.equal(subscriber.received.length, 3, "the first attempt and two retries");
      const [a, b] = gaps(subscriber.received.map((d) => d.at)) as [number, number];
      assert.ok(a >= 190 && b >= 390, `gaps of 200 and 400 ms: ${[a, b].map(Math.round)}`);
      assert.equal(dead!.trigger, "audit-identity-user-created-v1");
      const attributes = dead!.event.attributes;
      assert.equal(attributes["id"], "doomed");
      assert.equal(attributes["subject"], "user-7");
      assert.equal(attributes["knativeerrordest"], `${subscriber.url}/`);
      assert.equal(attributes["knativeerrorcode"], "500");
      assert.equal(Buffer.from(attributes["knativeerrordata"]!, "base64").toString(), body);
      assert.equal(attributes["reason"], "database", "kne-* response headers become extensions");
      assert.equal(dead!.event.data.toString(), '{"user":{"id":"user-7"}}');
      const line = broker.lines.find((l) => l["msg"] === "event dead-lettered");
      assert.match(String(line?.["dead_letter_sink"]), /KafkaSink kinetic-dead-letters needs Kafka, which is not running; kept in memory/);
    } finally {
      await broker.close();
      await subscriber.close();
    }
  });

  it("should keep only the newest dead letters beyond its capacity, saying so once", async () => {
    const subscriber = await startTestSubscriber(() => ({ status: 400, body: "no subscription for type" }));
    const broker = await startBroker(triggersOf([{ name: "audit", subscriptions: [subscription(created)] }]), { audit: subscriber.url }, { deadLetterCapacity: 2 });
    try {
      for (const id of ["d1", "d2", "d3", "d4"]) await post(broker.url, ceHeaders(created, { "ce-id": id, "ce-subject": "same" }));
      await waitFor(() => (broker.lines.filter((l) => l["msg"] === "event dead-lettered").length >= 4 ? true : undefined), 15_000, "four dead letters");
      assert.equal(subscriber.received.length, 4, "a 400 is not retried");
      assert.deepEqual(broker.deadLetters().map((d) => d.event.attributes["id"]), ["d3", "d4"]);
      assert.equal(broker.deadLetters()[0]!.event.attributes["knativeerrorcode"], "400");
      assert.equal(broker.lines.filter((l) => l["msg"] === "in-memory dead letters over capacity; forgetting the oldest").length, 1);
    } finally {
      await broker.close();
      await subscriber.close();
    }
  });

  it("should answer 400 to a malformed event, 404 to another broker, 405 to a GET, and take structured mode", async () => {
    const subscriber = await startTestSubscriber();
    const broker = await startBroker(triggersOf([{ name: "audit", subscriptions: [subscription(created)] }]), { audit: subscriber.url });
    try {
      const missing = await post(broker.url, { "ce-id": "x", "ce-source": "/s", "ce-type": created, "content-type": "application/json" });
      assert.equal(missing.status, 400);
      assert.match(((await missing.json()) as { message: string }).message, /missing required attribute specversion/);
      const noType = await post(broker.url, { "ce-specversion": "1.0", "ce-id": "x", "ce-source": "/s" });
      assert.equal(noType.status, 400);
      assert.deepEqual(await noType.json(), { code: "invalid_argument", message: "missing required attribute type" });
      const notJson = await post(broker.url, { "content-type": "application/cloudevents+json" }, "{not json");
      assert.equal(notJson.status, 400);
      assert.equal((await post(broker.url.replace(/kinetic$/, "other"), ceHeaders(created))).status, 404);
      const get = await fetch(broker.url);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get("allow"), "POST");

      const structured = { specversion: "1.0", id: "structured-1", source: "/tests", type: created, subject: "u9", datacontenttype: "application/json", data: { user: { id: "u9" } } };
      const accepted = await post(broker.url, { "content-type": "application/cloudevents+json" }, JSON.stringify(structured));
      assert.equal(accepted.status, 202);
      const [delivered] = await waitFor(() => (subscriber.received.length > 0 ? subscriber.received : undefined), 15_000, "the delivery");
      assert.equal(delivered!.headers["ce-id"], "structured-1");
      assert.equal(delivered!.headers["ce-subject"], "u9");
      assert.equal(delivered!.headers["content-type"], "application/json");
      assert.deepEqual(JSON.parse(delivered!.body.toString()), { user: { id: "u9" } });
      assert.equal(subscriber.received.length, 1, "nothing malformed was delivered");
    } finally {
      await broker.close();
      await subscriber.close();
    }
  });

  it("should deliver a burst of 200 events for one subject in order, one at a time, through failures", async () => {
    const failed = new Set<string>();
    const subscriber = await startTestSubscriber((d) => {
      const id = String(d.headers["ce-id"]);
      const fail = Number(id.split("-")[1]) % 10 === 3 && !failed.has(id);
      if (fail) failed.add(id);
      return { status: fail ? 503 : 202, delayMs: Math.floor(Math.random() * 3) };
    });
    const broker = await startBroker(triggersOf([{ name: "audit", subscriptions: [subscription(created)] }]), { audit: subscriber.url });
    try {
      const ids = Array.from({ length: 200 }, (_, i) => `burst-${i}`);
      for (const id of ids) assert.equal((await post(broker.url, ceHeaders(created, { "ce-id": id, "ce-subject": "user-1" }))).status, 202);
      await waitFor(() => (subscriber.received.length >= 220 ? true : undefined), 60_000, "every delivery and retry");
      const attempts = subscriber.received.map((d) => String(d.headers["ce-id"]));
      assert.deepEqual(attempts.filter((id, i) => attempts[i - 1] !== id), ids, "in order, each retry before the next event");
      assert.equal(failed.size, 20);
      assert.equal(subscriber.maxInFlight(), 1, "one at a time for one subject");
    } finally {
      await broker.close();
      await subscriber.close();
    }
  });

  it("should deliver different keys of an ordered trigger, and any events of an unordered one, concurrently", async () => {
    const orderedSubscriber = await startTestSubscriber(() => ({ status: 202, delayMs: 200 }));
    const unorderedSubscriber = await startTestSubscriber(() => ({ status: 202, delayMs: 200 }));
    const triggers = triggersOf([
      { name: "ordered", subscriptions: [subscription(created)] },
      { name: "unordered", subscriptions: [subscription(created, { ordered: false })] },
    ]);
    const broker = await startBroker(triggers, { ordered: orderedSubscriber.url, unordered: unorderedSubscriber.url }, { concurrency: 4 });
    try {
      for (let i = 0; i < 12; i++) await post(broker.url, ceHeaders(created, { "ce-partitionkey": `k${i % 3}` }));
      await waitFor(() => (orderedSubscriber.received.length >= 12 && unorderedSubscriber.received.length >= 12 ? true : undefined), 30_000, "24 deliveries");
      assert.ok(orderedSubscriber.maxInFlight() > 1 && orderedSubscriber.maxInFlight() <= 3, `one per key, 3 keys: saw ${orderedSubscriber.maxInFlight()}`);
      assert.ok(unorderedSubscriber.maxInFlight() > 3 && unorderedSubscriber.maxInFlight() <= 4, `up to concurrency 4: saw ${unorderedSubscriber.maxInFlight()}`);
    } finally {
      await broker.close();
      await Promise.all([orderedSubscriber.close(), unorderedSubscriber.close()]);
    }
  });

  it("should put a reply event back into the broker, where another trigger delivers it", async () => {
    const replyHeaders = { "ce-specversion": "1.0", "ce-id": "reply-1", "ce-source": "/functions/mailer", "ce-type": replied, "content-type": "application/json" };
    const mailer = await startTestSubscriber(() => ({ status: 200, headers: replyHeaders, body: '{"sent":true}' }));
    const audit = await startTestSubscriber();
    const triggers = triggersOf([
      { name: "mailer", subscriptions: [subscription(created)] },
      { name: "audit", subscriptions: [subscription(replied)] },
    ]);
    const broker = await startBroker(triggers, { mailer: mailer.url, audit: audit.url });
    try {
      await post(broker.url, ceHeaders(created, { "ce-id": "signup-1" }));
      const [chained] = await waitFor(() => (audit.received.length > 0 ? audit.received : undefined), 15_000, "the reply's delivery");
      assert.equal(chained!.headers["ce-id"], "reply-1");
      assert.equal(chained!.headers["ce-source"], "/functions/mailer");
      assert.equal(chained!.body.toString(), '{"sent":true}');
      assert.equal(mailer.received.length, 1);
      assert.equal(audit.received.length, 1, "the reply matched only the audit trigger");
    } finally {
      await broker.close();
      await Promise.all([mailer.close(), audit.close()]);
    }
  });

  it("should answer 429 while a matching trigger holds its capacity, accept again once it has room, and say what it lost on close", async () => {
    const held: (() => void)[] = [];
    const gate = createServer((req, res) => {
      req.resume();
      held.push(() => res.writeHead(202).end());
    });
    await new Promise<void>((resolve) => gate.listen(0, "127.0.0.1", resolve));
    const gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`;
    const broker = await startBroker(triggersOf([{ name: "audit", subscriptions: [subscription(created, { ordered: false })] }]), { audit: gateUrl }, { queueCapacity: 3 });
    let closed = false;
    try {
      for (let i = 0; i < 3; i++) assert.equal((await post(broker.url, ceHeaders(created))).status, 202);
      const refused = await post(broker.url, ceHeaders(created));
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get("retry-after"), "1");
      assert.match(((await refused.json()) as { message: string }).message, /holds 3 events, its capacity/);
      assert.equal((await post(broker.url, ceHeaders("kinetic.unrelated.v1"))).status, 202, "an event no trigger matches is accepted (and dropped)");
      await waitFor(() => (held.length >= 3 ? true : undefined), 15_000, "three deliveries in flight");
      held.shift()!();
      await waitFor(async () => ((await post(broker.url, ceHeaders(created))).status === 202 ? true : undefined), 15_000, "room again");
      await broker.close();
      closed = true;
      const lost = broker.lines.find((l) => l["msg"] === "in-memory broker stopped: undelivered events are lost (not durable)");
      assert.equal(lost?.["lost"], 3, "the three still in flight");
      assert.ok(broker.lines.some((l) => l["level"] === "warn" && /NOT DURABLE/.test(String(l["msg"]))), "labelled not durable at start");
    } finally {
      if (!closed) await broker.close();
      gate.closeAllConnections();
      await new Promise((resolve) => gate.close(resolve));
    }
  });
});
