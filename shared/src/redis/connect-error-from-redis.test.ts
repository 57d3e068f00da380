import { Code, ConnectError } from "@connectrpc/connect";
import { Redis, ReplyError } from "ioredis";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestRedis, type TestRedis } from "../testing/use-redis.js";
import { connectErrorFromRedis } from "./connect-error-from-redis.js";

/** Runs a command that must fail and maps its error, keeping it as `cause`. */
async function failure(run: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await run();
  } catch (err) {
    const mapped = connectErrorFromRedis(err);
    assert.equal(mapped.cause, err);
    return mapped;
  }
  assert.fail("expected the command to fail");
}

/** Fails the test instead of hanging when `promise` has not settled within `ms`. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const failFast = { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 } as const;

describe("connectErrorFromRedis", () => {
  const prefix = `kinetic-test-${randomBytes(6).toString("hex")}:`;
  let shared: Redis;
  let own: TestRedis;
  before(async () => {
    shared = new Redis("redis://127.0.0.1:6379", { keyPrefix: prefix });
    own = await createTestRedis();
  });
  after(async () => {
    await shared.del("list");
    await shared.quit();
    await own.stop();
  });

  it("should map a wrong type to Internal", async () => {
    await shared.set("list", "secret-value");
    const err = await failure(() => shared.lpush("list", "x"));
    assert.equal(err.code, Code.Internal);
    assert.equal(err.rawMessage, "redis key holds a value of the wrong type");
  });

  it("should map other rejected commands to Internal without quoting them", async () => {
    const err = await failure(() => shared.eval("return redis.call('set', KEYS[1], ARGV[1], 'bad')", 1, "list", "secret-value"));
    assert.equal(err.code, Code.Internal);
    assert.equal(err.rawMessage, "redis rejected the command (ERR)");
    assert.doesNotMatch(err.message, /secret|list/);
  });

  it("should map a full memory to ResourceExhausted", async () => {
    const admin = new Redis(own.url);
    try {
      await admin.config("SET", "maxmemory", "1");
      const err = await failure(() => admin.set("a", "b"));
      assert.equal(err.code, Code.ResourceExhausted);
      assert.equal(err.rawMessage, "redis is out of memory");
    } finally {
      await admin.config("SET", "maxmemory", "0");
      await admin.quit();
    }
  });

  it("should map a missing or wrong password to Internal", async () => {
    const admin = new Redis(own.url);
    await admin.config("SET", "requirepass", "right");
    const anonymous = new Redis(own.url, { enableReadyCheck: false, ...failFast });
    const wrong = new Redis(own.url.replace("//", "//:wrong@"), failFast);
    const authError = new Promise((resolve) => wrong.on("error", resolve)); // stays subscribed for the retries
    try {
      await new Promise((resolve) => anonymous.once("ready", resolve));
      const noAuth = await failure(() => anonymous.get("a"));
      assert.equal(noAuth.code, Code.Internal);
      assert.match(noAuth.rawMessage, /requires a password/);
      const wrongPass = connectErrorFromRedis(await authError);
      assert.equal(wrongPass.code, Code.Internal);
      assert.match(wrongPass.rawMessage, /rejected the user or password/);
    } finally {
      anonymous.disconnect();
      wrong.disconnect();
      await admin.config("SET", "requirepass", "");
      await admin.quit();
    }
  });

  it("should fail commands fast with Unavailable while the server is down", async () => {
    const client = new Redis(own.url, failFast);
    client.on("error", () => undefined);
    try {
      await new Promise((resolve) => client.once("ready", resolve));
      const blocked = failure(() => client.blpop("queue", 0)); // in flight when the server dies
      await sleep(50);
      await own.stop();
      const inFlight = await within(2000, blocked);
      assert.equal(inFlight.code, Code.Unavailable);
      assert.equal(inFlight.rawMessage, "redis is unavailable: connection lost while the command ran");
      const next = await within(2000, failure(() => client.get("a")));
      assert.equal(next.code, Code.Unavailable);
      assert.equal(next.rawMessage, "redis is unavailable: not connected");
    } finally {
      client.disconnect();
      await own.start();
    }
  });

  it("should map server states it cannot easily provoke", () => {
    const table: [string, Code][] = [
      ["READONLY You can't write against a read only replica.", Code.Unavailable],
      ["LOADING Redis is loading the dataset in memory", Code.Unavailable],
      ["BUSY Redis is busy running a script.", Code.Unavailable],
      ["CLUSTERDOWN The cluster is down", Code.Unavailable],
      ["TRYAGAIN Multiple keys request during rehashing of slot", Code.Unavailable],
      ["MASTERDOWN Link with MASTER is down", Code.Unavailable],
      ["NOPERM this user has no permissions to run the 'get' command", Code.Internal],
      ["WRONGPASS invalid username-password pair or user is disabled.", Code.Internal],
    ];
    for (const [reply, code] of table) {
      const err = connectErrorFromRedis(new ReplyError(reply));
      assert.equal(err.code, code, reply);
      assert.ok(!err.message.includes(reply.slice(reply.indexOf(" ") + 1)), reply);
    }
  });

  it("should map socket and client errors to Unavailable", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"]) {
      assert.equal(connectErrorFromRedis(Object.assign(new Error("x"), { code })).code, Code.Unavailable, code);
    }
    for (const message of ["Connection is closed.", "Command timed out", "Stream isn't writeable and enableOfflineQueue options is false"]) {
      assert.equal(connectErrorFromRedis(new Error(message)).code, Code.Unavailable, message);
    }
    const happyEyeballs = new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]);
    assert.equal(connectErrorFromRedis(happyEyeballs).rawMessage, "redis is unavailable: connection refused");
  });

  it("should map anything else to Internal and return a ConnectError unchanged", () => {
    const unexpected = connectErrorFromRedis(new TypeError("secret"));
    assert.equal(unexpected.code, Code.Internal);
    assert.equal(unexpected.rawMessage, "unexpected redis error");
    assert.equal(connectErrorFromRedis("boom").code, Code.Internal);
    const err = new ConnectError("no such user", Code.NotFound);
    assert.equal(connectErrorFromRedis(err), err);
  });
});
