import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuditService } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { createLogger, registryFromEnv } from "@kinetic/runtime";
import {
  createTestDatabase,
  createTestTopic,
  readTopic,
  spawnFunction,
  testKafkaBrokers,
  waitFor,
  type SpawnedFunction,
  type TestDatabase,
} from "@kinetic/runtime/testing";
import { loadEventingManifests } from "./eventing/load-eventing-manifests.js";
import { startEventDispatcher, type EventDispatcher } from "./eventing/start-event-dispatcher.js";
import { startLocalRegistry, type LocalRegistry } from "./registry/local-registry.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** identity → its outbox → Kafka → the Triggers in knative/ → audit, all real, as `npm run dev` runs them. */
describe("events across functions", () => {
  let db: TestDatabase;
  let registry: LocalRegistry;
  let identity: SpawnedFunction;
  let audit: SpawnedFunction;
  let dispatcher: EventDispatcher;
  let topic: string;
  let env: Record<string, string>;

  before(async () => {
    db = await createTestDatabase();
    registry = await startLocalRegistry({ checkIntervalMs: 200 });
    topic = await createTestTopic("events-e2e", 3);
    const deadLetterTopic = await createTestTopic("events-e2e-dead", 1);
    env = { DATABASE_URL: db.url, KINETIC_REGISTRY_URL: registry.url, KINETIC_EVENTS_TOPIC: topic, IDENTITY_SCRYPT_LOG_N: "10", IDENTITY_SCRYPT_P: "1" };
    [identity, audit] = await Promise.all([spawnFunction("functions/identity/src/index.ts", env), spawnFunction("functions/audit/src/index.ts", env)]);
    const manifests = loadEventingManifests(join(root, "knative/base/eventing"));
    const resolver = registryFromEnv({ KINETIC_REGISTRY_URL: registry.url });
    // Trigger names are consumer groups: ones of our own, so `npm run dev` or another test never shares them.
    const suffix = randomBytes(3).toString("hex");
    dispatcher = await startEventDispatcher({
      brokers: testKafkaBrokers().join(","),
      topic,
      deadLetterTopic,
      triggers: manifests.triggers.map((t) => ({ ...t, metadata: { ...t.metadata, name: `${t.metadata.name}-${suffix}` } })),
      brokerDelivery: manifests.brokerDelivery,
      resolve: (fn) => resolver.resolve(fn),
      log: createLogger({ level: "error" }),
    });
  });
  after(async () => {
    await dispatcher.close();
    for (const fn of [identity, audit]) fn.child.kill("SIGTERM");
    await Promise.all([identity.exited, audit.exited]);
    await registry.close();
    await db.drop();
  });

  it("should record identity's CreateUser in audit within seconds, with the caller's trace id", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const identityClient = createClient(IdentityService, createConnectTransport({ baseUrl: identity.url, httpVersion: "1.1" }));
    const { user } = await identityClient.createUser(
      { email: "audited@example.com", displayName: "Audited", password: "password1" },
      { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } },
    );
    const auditClient = createClient(AuditService, createConnectTransport({ baseUrl: audit.url, httpVersion: "1.1" }));
    const recorded = await waitFor(
      async () => (await auditClient.query({ subject: user!.id })).events[0],
      15_000,
      "the audit record of the new user",
    );
    assert.equal(recorded.type, "kinetic.identity.user.created.v1");
    assert.equal(recorded.source, "/functions/identity");
    assert.equal(recorded.traceId, traceId);
    assert.equal((recorded.data as { user: { email: string } }).user.email, "audited@example.com");
  });

  it("should lose nothing and duplicate nothing when the publisher is killed between commit and relay", async () => {
    // This identity cannot reach Kafka: its events stay in its outbox after commit.
    const stranded = await spawnFunction("functions/identity/src/index.ts", { ...env, KAFKA_BROKERS: "127.0.0.1:1" });
    const client = createClient(IdentityService, createConnectTransport({ baseUrl: stranded.url, httpVersion: "1.1" }));
    const { user } = await client.createUser({ email: "crash@example.com", displayName: "Crash", password: "password1" });
    stranded.child.kill("SIGKILL");
    await stranded.exited;

    const restarted = await spawnFunction("functions/identity/src/index.ts", env);
    try {
      const records = await readTopic(topic, (rs) => rs.some((r) => r.key?.toString() === user!.id), 15_000);
      const created = records.filter((r) => r.key?.toString() === user!.id && r.headers?.["ce_type"]?.toString() === "kinetic.identity.user.created.v1");
      assert.equal(created.length, 1, "published once, after the restart");
      const auditClient = createClient(AuditService, createConnectTransport({ baseUrl: audit.url, httpVersion: "1.1" }));
      const { events } = await waitFor(async () => {
        const page = await auditClient.query({ subject: user!.id });
        return page.events.length > 0 ? page : undefined;
      }, 15_000, "the audit record");
      assert.equal(events.length, 1, "one effect");
    } finally {
      restarted.child.kill("SIGTERM");
      await restarted.exited;
    }
  });
});
