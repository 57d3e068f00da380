import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuthService } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { createTestDatabase, spawnFunction, waitFor, type SpawnedFunction, type TestDatabase } from "@kinetic/runtime/testing";
import { startLocalRegistry, type LocalRegistry } from "./registry/local-registry.js";

const codeOf = (err: unknown) => ConnectError.from(err).code;

/** identity and auth as separate processes, finding each other only through the local registry. */
describe("identity and auth as processes", () => {
  let db: TestDatabase;
  let registry: LocalRegistry;
  let identity: SpawnedFunction;
  let auth: SpawnedFunction;
  let authClient: Client<typeof AuthService>;
  const env = () => ({ DATABASE_URL: db.url, KINETIC_REGISTRY_URL: registry.url, IDENTITY_SCRYPT_LOG_N: "10", IDENTITY_SCRYPT_P: "1" });
  const startIdentity = () => spawnFunction("functions/identity/src/index.ts", env());

  before(async () => {
    db = await createTestDatabase();
    registry = await startLocalRegistry({ checkIntervalMs: 200 });
    [identity, auth] = await Promise.all([startIdentity(), spawnFunction("functions/auth/src/index.ts", env())]);
    authClient = createClient(AuthService, createConnectTransport({ baseUrl: auth.url, httpVersion: "1.1" }));
    const identityClient = createClient(IdentityService, createConnectTransport({ baseUrl: identity.url, httpVersion: "1.1" }));
    await identityClient.createUser({ email: "grace@example.com", displayName: "Grace", password: "amazing grace" });
  });
  after(async () => {
    for (const fn of [auth, identity]) if (fn.child.exitCode === null) fn.child.kill("SIGTERM");
    await Promise.all([auth.exited, identity.exited]);
    await registry.close();
    await db.drop();
  });

  it("should log in, refresh, detect a reused refresh token and log out", async () => {
    const { tokens } = await authClient.login({ email: "grace@example.com", password: "amazing grace" });
    assert.ok(tokens?.accessToken && tokens.refreshToken);
    const { claims } = await authClient.verifyToken({ token: tokens.accessToken });
    assert.ok(claims?.subject);

    const { tokens: rotated } = await authClient.refresh({ refreshToken: tokens.refreshToken });
    assert.notEqual(rotated?.refreshToken, tokens.refreshToken);
    await assert.rejects(authClient.refresh({ refreshToken: tokens.refreshToken }), (e: unknown) => codeOf(e) === Code.Unauthenticated);
    await assert.rejects(authClient.refresh({ refreshToken: rotated!.refreshToken }), (e: unknown) => codeOf(e) === Code.Unauthenticated, "reuse revoked the family");

    const { tokens: again } = await authClient.login({ email: "grace@example.com", password: "amazing grace" });
    await authClient.logout({ refreshToken: again!.refreshToken });
    await assert.rejects(authClient.refresh({ refreshToken: again!.refreshToken }), (e: unknown) => codeOf(e) === Code.Unauthenticated);
  });

  it("should hand identity the deadline the caller set on auth", async () => {
    await authClient.login({ email: "grace@example.com", password: "amazing grace" }, { timeoutMs: 50 }).catch(() => undefined);
    const line = await waitFor(
      () => identity.logs.find((l) => l["procedure"] === "kinetic.identity.v1.IdentityService/VerifyPassword" && typeof l["timeout_ms"] === "number" && (l["timeout_ms"] as number) <= 50),
      5000,
      "identity's log of a VerifyPassword carrying the 50 ms deadline",
    );
    assert.equal(line["caller"], "auth");
    assert.ok((line["timeout_ms"] as number) > 0);
  });

  it("should fail fast while identity is down and recover once it is back", async () => {
    identity.child.kill("SIGKILL");
    await identity.exited;
    const attempt = async () => {
      const started = performance.now();
      const err = await authClient.login({ email: "grace@example.com", password: "amazing grace" }, { timeoutMs: 2000 }).then(() => undefined, ConnectError.from);
      return { err, ms: performance.now() - started };
    };
    const failures = [];
    for (let i = 0; i < 8; i++) failures.push(await attempt());
    for (const { err } of failures) assert.equal(err?.code, Code.Unavailable, err?.message);
    const last = failures.slice(-3);
    for (const { ms } of last) assert.ok(ms < 250, `failing fast, not waiting for the deadline (${ms.toFixed(0)} ms)`);

    identity = await startIdentity();
    const until = Date.now() + 15_000;
    let ok = false;
    while (!ok && Date.now() < until) {
      ok = (await attempt()).err === undefined;
      if (!ok) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(ok, "auth logs in again once identity is back");
  });
});
