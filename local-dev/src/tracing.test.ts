import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuthService } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import {
  createTestDatabase,
  spawnFunction,
  startOtlpReceiver,
  type OtlpReceiver,
  type SpawnedFunction,
  type TestDatabase,
} from "@kinetic/runtime/testing";
import { startLocalRegistry, type LocalRegistry } from "./registry/local-registry.js";

/** One trace across processes: auth's server span → its client span → identity's server span → identity's query. */
describe("a trace across functions", () => {
  let db: TestDatabase;
  let registry: LocalRegistry;
  let receiver: OtlpReceiver;
  let identity: SpawnedFunction;
  let auth: SpawnedFunction;

  before(async () => {
    db = await createTestDatabase();
    registry = await startLocalRegistry();
    receiver = await startOtlpReceiver();
    const env = {
      DATABASE_URL: db.url,
      KINETIC_REGISTRY_URL: registry.url,
      IDENTITY_SCRYPT_LOG_N: "10",
      IDENTITY_SCRYPT_P: "1",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    };
    [identity, auth] = await Promise.all([spawnFunction("functions/identity/src/index.ts", env), spawnFunction("functions/auth/src/index.ts", env)]);
  });
  after(async () => {
    for (const fn of [auth, identity]) fn.child.kill("SIGTERM");
    await Promise.all([auth.exited, identity.exited]);
    await receiver.close();
    await registry.close();
    await db.drop();
  });

  it("should carry one trace id from auth's server span to identity's Postgres span, and into the logs", async () => {
    const identityClient = createClient(IdentityService, createConnectTransport({ baseUrl: identity.url, httpVersion: "1.1" }));
    await identityClient.createUser({ email: "trace@example.com", displayName: "T", password: "password1" });
    const authClient = createClient(AuthService, createConnectTransport({ baseUrl: auth.url, httpVersion: "1.1" }));
    await authClient.login({ email: "trace@example.com", password: "password1" });

    const [login] = await receiver.waitForSpans((s) => s.service === "auth" && s.kind === "server" && s.attributes["rpc.method"] === "Login");
    const trace = (s: { traceId: string }) => s.traceId === login!.traceId;
    const [call] = await receiver.waitForSpans((s) => trace(s) && s.service === "auth" && s.kind === "client" && s.attributes["rpc.method"] === "VerifyPassword");
    const [served] = await receiver.waitForSpans((s) => trace(s) && s.service === "identity" && s.kind === "server");
    const [query] = await receiver.waitForSpans((s) => trace(s) && s.service === "identity" && s.attributes["db.system"] === "postgresql");

    assert.equal(call!.parentSpanId, login!.spanId, "auth's client span is a child of its server span");
    assert.equal(served!.parentSpanId, call!.spanId, "identity's server span continues auth's client span");
    assert.equal(query!.parentSpanId, served!.spanId, "the query belongs to identity's handler");
    assert.equal(served!.attributes["rpc.service"], "kinetic.identity.v1.IdentityService");
    assert.ok(!JSON.stringify(receiver.spans, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)).includes("password1"), "no password in any span");

    const logged = identity.logs.find((l) => l["procedure"] === "kinetic.identity.v1.IdentityService/VerifyPassword");
    assert.equal(logged?.["trace_id"], login!.traceId, "identity's request log carries the trace id");
  });
});
