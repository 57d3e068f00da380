import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuthService } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import identity from "@kinetic/identity";
import { createTestDatabase, startFunction, type StartedFunction } from "@kinetic/runtime/testing";
import assert from "node:assert/strict";
import auth from "../index.js";

/** A started auth instance and a Connect client of it. */
export interface TestAuth {
  readonly server: StartedFunction;
  readonly client: Client<typeof AuthService>;
}

/** A user created for one test: unique email, known password. */
export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly password: string;
}

/** A database, a real identity function, and the auth instances a test file starts on them. */
export interface AuthTestStack {
  /** Superuser URL of the test database. */
  readonly databaseUrl: string;
  /**
   * Starts auth on the stack's database, calling its identity, with a one-minute failed-login
   * window so the Redis keys tests create soon expire. Waits for Redis unless `waitForRedis` is false.
   */
  startAuth(env?: Record<string, string>, options?: { waitForRedis?: boolean }): Promise<TestAuth>;
  /** A new user whose email no other test uses, so Redis counters are never shared. */
  createUser(): Promise<TestUser>;
  /** Closes every auth instance, then identity, then drops the database. */
  close(): Promise<void>;
}

/** Test-only: builds the stack. Call `close` in `after`. */
export async function createAuthTestStack(): Promise<AuthTestStack> {
  const db = await createTestDatabase();
  // Cheap scrypt parameters keep the suite fast.
  const identityServer = await startFunction(identity, { DATABASE_URL: db.url, IDENTITY_SCRYPT_LOG_N: "10", IDENTITY_SCRYPT_P: "1" });
  const identityClient = createClient(IdentityService, createConnectTransport({ baseUrl: identityServer.url, httpVersion: "1.1" }));
  const started: StartedFunction[] = [];
  return {
    databaseUrl: db.url,
    async startAuth(env = {}, { waitForRedis = true } = {}) {
      const server = await startFunction(auth, {
        DATABASE_URL: db.url,
        KINETIC_IDENTITY_URL: identityServer.url,
        AUTH_FAILED_LOGIN_WINDOW_SECONDS: "60",
        ...env,
      });
      started.push(server);
      if (waitForRedis) await until(() => server.logs.some((line) => line["msg"] === "redis connected"), "auth connected to redis");
      return { server, client: createClient(AuthService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" })) };
    },
    async createUser() {
      const email = `${randomUUID()}@example.com`;
      const password = randomBytes(12).toString("base64url");
      const { user } = await identityClient.createUser({ email, displayName: "Test", password });
      return { id: user!.id, email, password };
    },
    async close() {
      for (const server of started) await server.close();
      await identityServer.close();
      await db.drop();
    },
  };
}

/** Test-only: a documentation-range IPv6 address no other test uses, for x-forwarded-for. */
export function newClientAddress(): string {
  return `2001:db8::${randomBytes(2).toString("hex")}:${randomBytes(2).toString("hex")}`;
}

/** Test-only: an assertion for `assert.rejects` on the Connect code and the message. */
export function rejectsWith(code: Code, pattern: RegExp) {
  return (err: unknown) => {
    const e = ConnectError.from(err);
    assert.equal(Code[e.code], Code[code], e.message);
    assert.match(e.rawMessage, pattern);
    return true;
  };
}

/** Test-only: polls `condition` every 25 ms, failing after 5 s. */
export async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting until ${what}`);
}
