import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code } from "@connectrpc/connect";
import { decodeProtectedHeader, type JSONWebKeySet } from "jose";
import postgres from "postgres";
import { rotateSigningKey } from "./rotate-signing-key.js";
import { createAuthTestStack, rejectsWith, until, type AuthTestStack, type TestAuth, type TestUser } from "./testing/auth-test-stack.js";

async function jwksOf(auth: TestAuth): Promise<string[]> {
  const jwks = (await (await fetch(`${auth.server.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
  return jwks.keys.map((key) => key.kid!);
}

describe("auth signing keys kept in its own schema", () => {
  let stack: AuthTestStack;
  let sql: postgres.Sql;
  before(async () => {
    stack = await createAuthTestStack();
    sql = postgres(stack.databaseUrl, { max: 1, connection: { search_path: "auth" }, onnotice: () => undefined });
  });
  after(async () => {
    await sql.end();
    await stack.close();
  });

  async function login(auth: TestAuth, user?: TestUser): Promise<string> {
    user ??= await stack.createUser();
    const { tokens } = await auth.client.login({ email: user.email, password: user.password });
    return tokens!.accessToken;
  }

  it("should generate one key that instances starting together agree on", async () => {
    const [a, b] = await Promise.all([stack.startAuth(), stack.startAuth()]);
    const [kidsA, kidsB] = await Promise.all([jwksOf(a), jwksOf(b)]);
    assert.equal(kidsA.length, 1);
    assert.deepEqual(kidsB, kidsA);
    assert.equal((await sql`select kid from signing_keys`).length, 1);
    await b.client.verifyToken({ token: await login(a) });
  });

  it("should keep access tokens valid across a restart", async () => {
    const first = await stack.startAuth();
    const user = await stack.createUser();
    const token = await login(first, user);
    await first.server.close();
    const second = await stack.startAuth();
    assert.equal((await second.client.verifyToken({ token })).claims?.subject, user.id);
  });

  it("should rotate: old tokens stay valid, new ones use the new kid, and the JWKS lists both", async () => {
    const auth = await stack.startAuth({ AUTH_SIGNING_KEYS_RELOAD_SECONDS: "1" });
    const stale = await stack.startAuth({ AUTH_SIGNING_KEYS_RELOAD_SECONDS: "3600" });
    const before = await login(auth);
    const oldKid = decodeProtectedHeader(before).kid;
    const newKid = await rotateSigningKey(sql);
    assert.notEqual(newKid, oldKid);
    let after = "";
    await until(async () => decodeProtectedHeader((after = await login(auth))).kid === newKid, "auth signs with the new key");
    await auth.client.verifyToken({ token: before });
    assert.deepEqual(await jwksOf(auth), [newKid, oldKid], "signing key first");
    // An instance that has not reloaded yet learns the new kid from the first token that carries it.
    await stale.client.verifyToken({ token: after });
    assert.deepEqual(await jwksOf(stale), [newKid, oldKid]);
  });

  it("should stop accepting a retired key once every token it signed has expired", async () => {
    const auth = await stack.startAuth({ AUTH_SIGNING_KEYS_RELOAD_SECONDS: "1" });
    const token = await login(auth);
    const { kid } = decodeProtectedHeader(token);
    await rotateSigningKey(sql);
    await sql`update signing_keys set retired_at = now() - interval '1 day' where kid = ${kid!}`;
    await until(async () => !(await jwksOf(auth)).includes(kid!), "the retired key is no longer published");
    await assert.rejects(auth.client.verifyToken({ token }), rejectsWith(Code.Unauthenticated, /kid names no key/));
  });
});
