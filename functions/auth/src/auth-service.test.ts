import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import postgres from "postgres";
import { createAuthTestStack, newClientAddress, rejectsWith, type AuthTestStack, type TestAuth } from "./testing/auth-test-stack.js";

describe("auth", () => {
  let stack: AuthTestStack;
  let auth: TestAuth;
  const secrets: string[] = [];
  before(async () => {
    stack = await createAuthTestStack();
    auth = await stack.startAuth({ AUTH_MAX_FAILED_LOGINS_PER_ADDRESS: "8" });
  });
  after(() => stack.close());

  /** Logs a new user in from a fresh address, remembering every secret so the log check can look for them. */
  async function loggedIn() {
    const user = await stack.createUser();
    const { tokens } = await auth.client.login({ email: user.email, password: user.password }, { headers: { "x-forwarded-for": newClientAddress() } });
    secrets.push(user.password, tokens!.accessToken, tokens!.refreshToken);
    return { user, tokens: tokens! };
  }

  it("should log in, verify the access token and rotate the refresh token", async () => {
    const { user, tokens } = await loggedIn();
    assert.equal(tokens.tokenType, "Bearer");
    assert.equal(tokens.expiresIn, 900);
    assert.match(tokens.refreshToken, /^[\w-]{43}$/, "256 bits, base64url");
    const header = decodeProtectedHeader(tokens.accessToken);
    assert.equal(header.alg, "EdDSA");
    assert.equal(header.typ, "at+jwt");
    assert.ok(header.kid);
    const { claims } = await auth.client.verifyToken({ token: tokens.accessToken });
    assert.equal(claims?.subject, user.id);
    assert.equal(claims?.issuer, "kinetic-auth");
    assert.deepEqual(claims?.audience, ["kinetic"]);
    assert.ok(claims?.tokenId);
    assert.equal(timestampMs(claims!.expireTime!) - timestampMs(claims!.issueTime!), 900_000);
    const { tokens: next } = await auth.client.refresh({ refreshToken: tokens.refreshToken });
    secrets.push(next!.accessToken, next!.refreshToken);
    assert.notEqual(next?.refreshToken, tokens.refreshToken);
    assert.equal((await auth.client.verifyToken({ token: next!.accessToken })).claims?.subject, user.id);
  });

  it("should revoke the whole family when a used refresh token comes back", async () => {
    const { tokens } = await loggedIn();
    const second = (await auth.client.refresh({ refreshToken: tokens.refreshToken })).tokens!;
    const third = (await auth.client.refresh({ refreshToken: second.refreshToken })).tokens!;
    await assert.rejects(auth.client.refresh({ refreshToken: tokens.refreshToken }), rejectsWith(Code.Unauthenticated, /refresh_token is invalid/));
    await assert.rejects(auth.client.refresh({ refreshToken: third.refreshToken }), rejectsWith(Code.Unauthenticated, /refresh_token/), "the newest one too");
    assert.ok(auth.server.logs.some((line) => line["level"] === "warn" && /used twice/.test(String(line["msg"])) && line["family_id"]));
  });

  it("should revoke the family on logout, idempotently, and answer alike for an unknown token", async () => {
    const { tokens } = await loggedIn();
    const second = (await auth.client.refresh({ refreshToken: tokens.refreshToken })).tokens!;
    await auth.client.logout({ refreshToken: tokens.refreshToken });
    await assert.rejects(auth.client.refresh({ refreshToken: second.refreshToken }), rejectsWith(Code.Unauthenticated, /refresh_token/));
    await auth.client.logout({ refreshToken: second.refreshToken });
    await auth.client.logout({ refreshToken: "never-issued" });
  });

  it("should store refresh tokens only as sha256 hashes and refuse expired ones", async () => {
    const { user, tokens } = await loggedIn();
    const sql = postgres(stack.databaseUrl, { max: 1 });
    try {
      const rows = await sql<{ token_hash: Buffer }[]>`select token_hash from auth.refresh_tokens where user_id = ${user.id}`;
      assert.deepEqual(rows.map((r) => r.token_hash.toString("hex")), [createHash("sha256").update(tokens.refreshToken).digest("hex")]);
      await sql`update auth.refresh_tokens set expires_at = now() - interval '1 second' where user_id = ${user.id}`;
    } finally {
      await sql.end();
    }
    await assert.rejects(auth.client.refresh({ refreshToken: tokens.refreshToken }), rejectsWith(Code.Unauthenticated, /expired/));
  });

  it("should answer a wrong password and an unknown email alike with unauthenticated", async () => {
    const user = await stack.createUser();
    const headers = { "x-forwarded-for": newClientAddress() };
    await assert.rejects(auth.client.login({ email: user.email, password: "wrong" }, { headers }), rejectsWith(Code.Unauthenticated, /^email or password is incorrect$/));
    await assert.rejects(auth.client.login({ email: `x${user.email}`, password: "wrong" }, { headers }), rejectsWith(Code.Unauthenticated, /^email or password is incorrect$/));
  });

  it("should lock an account after 5 failures with resource_exhausted and retry-after, even for the right password", async () => {
    const user = await stack.createUser();
    for (let i = 0; i < 5; i++) {
      const headers = { "x-forwarded-for": newClientAddress() };
      await assert.rejects(auth.client.login({ email: user.email, password: "wrong" }, { headers }), rejectsWith(Code.Unauthenticated, /incorrect/));
    }
    const err = await auth.client.login({ email: ` ${user.email.toUpperCase()}`, password: user.password }).catch(ConnectError.from);
    assert.ok(err instanceof ConnectError);
    assert.equal(err.code, Code.ResourceExhausted);
    assert.match(err.rawMessage, /account: retry in \d+ seconds/);
    const retryAfter = Number(err.metadata.get("retry-after"));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `retry-after ${retryAfter}`);
    const res = await fetch(`${auth.server.url}/kinetic.auth.v1.AuthService/Login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    assert.equal(res.status, 429);
    assert.match(res.headers.get("retry-after") ?? "", /^\d+$/);
  });

  it("should reset the account's count on a successful login", async () => {
    const user = await stack.createUser();
    const attempt = (password: string) => auth.client.login({ email: user.email, password }, { headers: { "x-forwarded-for": newClientAddress() } });
    for (let i = 0; i < 4; i++) await assert.rejects(attempt("wrong"), rejectsWith(Code.Unauthenticated, /incorrect/));
    await attempt(user.password);
    for (let i = 0; i < 4; i++) await assert.rejects(attempt("wrong"), rejectsWith(Code.Unauthenticated, /incorrect/));
    await attempt(user.password);
  });

  it("should lock a client address after its limit, across accounts, and only that address", async () => {
    const address = newClientAddress();
    const [a, b, c] = [await stack.createUser(), await stack.createUser(), await stack.createUser()];
    for (const user of [a, b]) {
      for (let i = 0; i < 4; i++) {
        const headers = { "x-forwarded-for": `${address}, 10.0.0.1` };
        await assert.rejects(auth.client.login({ email: user.email, password: "wrong" }, { headers }), rejectsWith(Code.Unauthenticated, /incorrect/));
      }
    }
    await assert.rejects(
      auth.client.login({ email: c.email, password: c.password }, { headers: { "x-forwarded-for": address } }),
      rejectsWith(Code.ResourceExhausted, /address: retry in \d+ seconds/),
    );
    await auth.client.login({ email: c.email, password: c.password }, { headers: { "x-forwarded-for": newClientAddress() } });
  });

  it("should serve the public keys at /.well-known/jwks.json, against which access tokens verify", async () => {
    const { user, tokens } = await loggedIn();
    const res = await fetch(`${auth.server.url}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "public, max-age=300");
    const jwks = (await res.json()) as JSONWebKeySet;
    assert.ok(jwks.keys.length >= 1);
    for (const key of jwks.keys) {
      assert.deepEqual(Object.keys(key).sort(), ["alg", "crv", "kid", "kty", "use", "x"]);
      assert.equal(key.alg, "EdDSA");
      assert.equal(key.use, "sig");
    }
    const { payload } = await jwtVerify(tokens.accessToken, createLocalJWKSet(jwks), { issuer: "kinetic-auth", audience: "kinetic" });
    assert.equal(payload.sub, user.id);
  });

  it("should never log passwords or tokens", () => {
    assert.ok(secrets.length > 0);
    const logs = JSON.stringify(auth.server.logs);
    for (const secret of secrets) assert.ok(!logs.includes(secret), "a secret was logged");
  });
});
