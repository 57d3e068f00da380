import { Code, ConnectError } from "@connectrpc/connect";
import { Redis } from "ioredis";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger } from "../log/logger.js";
import { createTestRedis, type TestRedis } from "../testing/use-redis.js";
import { createCache } from "./create-cache.js";
import { openFunctionRedis, type FunctionRedis } from "./open-function-redis.js";

interface User {
  id: string;
  name: string;
}

/** A source of truth that counts its loads. */
function source(value: User, delayMs = 0): { loads: number; load: () => Promise<User> } {
  const counter = {
    loads: 0,
    load: async () => {
      counter.loads++;
      await sleep(delayMs);
      return value;
    },
  };
  return counter;
}

const ada: User = { id: "1", name: "Ada" };
const log = createLogger({ level: "error", write: () => undefined });

async function waitFor(what: string, condition: () => boolean): Promise<void> {
  for (const start = Date.now(); !condition(); await sleep(20)) {
    if (Date.now() - start > 5000) assert.fail(`timed out waiting until ${what}`);
  }
}

/** Fails the test instead of hanging when `promise` has not settled within 2 s. */
async function soon<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("still pending after 2 s")), 2000)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("createCache", () => {
  const name = `kinetic-test-${randomBytes(6).toString("hex")}`;
  let raw: Redis;
  let redis: FunctionRedis;
  before(async () => {
    raw = new Redis("redis://127.0.0.1:6379");
    redis = openFunctionRedis({ name, url: "redis://127.0.0.1:6379", log });
    await waitFor("redis is available", () => redis.available);
  });
  after(async () => {
    await redis.close();
    const keys = await raw.keys(`${name}:*`);
    if (keys.length > 0) await raw.del(keys);
    await raw.quit();
  });

  it("should load a miss once, store it under the function's prefix, and serve hits", async () => {
    const users = createCache<User>({ redis, namespace: "user", ttlSeconds: 60, log });
    const db = source(ada);
    assert.deepEqual(await users.get("1", db.load), ada);
    assert.deepEqual(await users.get("1", db.load), ada);
    assert.equal(db.loads, 1);
    assert.equal(await raw.get(`${name}:user:1`), JSON.stringify(ada));
    assert.equal(await raw.exists(`${name}:user.lock:1`), 0, "lock released");
  });

  it("should load again once the TTL has passed", async () => {
    const users = createCache<User>({ redis, namespace: "ttl", ttlSeconds: 1, log });
    const db = source(ada);
    await users.get("1", db.load);
    assert.ok((await raw.pttl(`${name}:ttl:1`)) <= 1000);
    await sleep(1100);
    await users.get("1", db.load);
    assert.equal(db.loads, 2);
  });

  it("should share one load between concurrent gets in a process", async () => {
    const users = createCache<User>({ redis, namespace: "flight", ttlSeconds: 60, log });
    const db = source(ada, 50);
    const values = await Promise.all(Array.from({ length: 100 }, () => users.get("1", db.load)));
    assert.equal(db.loads, 1);
    assert.ok(values.every((value) => value.name === "Ada"));
  });

  it("should load about once when processes stampede on a missing key", async () => {
    const instances = Array.from({ length: 5 }, () => openFunctionRedis({ name, url: "redis://127.0.0.1:6379", log }));
    try {
      await waitFor("every instance is connected", () => instances.every((instance) => instance.available));
      const caches = instances.map((instance) => createCache<User>({ redis: instance, namespace: "stampede", ttlSeconds: 60, log }));
      const db = source(ada, 100);
      const values = await Promise.all(Array.from({ length: 50 }, (_, i) => caches[i % 5]!.get("1", db.load)));
      assert.ok(db.loads <= 2, `${db.loads} loads`);
      assert.ok(values.every((value) => value.name === "Ada"));
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });

  it("should propagate a load error unchanged, cache nothing and release the lock", async () => {
    const users = createCache<User>({ redis, namespace: "failing", ttlSeconds: 60, log });
    const failure = new ConnectError("no such user", Code.NotFound);
    await assert.rejects(users.get("1", () => Promise.reject(failure)), (err) => err === failure);
    assert.equal(await raw.exists(`${name}:failing:1`, `${name}:failing.lock:1`), 0);
    const db = source(ada);
    assert.deepEqual(await users.get("1", db.load), ada);
    assert.equal(db.loads, 1);
  });

  it("should forget a deleted key, even one still loading", async () => {
    const users = createCache<User>({ redis, namespace: "deleted", ttlSeconds: 60, log });
    await users.get("1", source(ada).load);
    await users.delete("1");
    assert.equal(await raw.exists(`${name}:deleted:1`), 0);
    const loading = users.get("1", source(ada, 50).load);
    await users.delete("1"); // the value being loaded may predate the change
    await loading;
    assert.equal(await raw.exists(`${name}:deleted:1`), 0);
  });

  it("should use the given codec and reload a value it cannot decode", async () => {
    const names = createCache<User>({
      redis, namespace: "codec", ttlSeconds: 60, log,
      encode: (user) => `${user.id}|${user.name}`,
      decode: (text) => {
        const [id, name, extra] = text.split("|");
        if (id === undefined || name === undefined || extra !== undefined) throw new Error("bad entry");
        return { id, name };
      },
    });
    await raw.set(`${name}:codec:1`, "1|Ada|unexpected");
    const db = source(ada);
    assert.deepEqual(await names.get("1", db.load), ada);
    assert.equal(db.loads, 1);
    assert.equal(await raw.get(`${name}:codec:1`), "1|Ada");
  });

  it("should reject a namespace or duration it cannot use", () => {
    assert.throws(() => createCache<User>({ redis, namespace: "user.lock", ttlSeconds: 60, log }), TypeError);
    assert.throws(() => createCache<User>({ redis, namespace: "user", ttlSeconds: 0.5, log }), /invalid ttlSeconds 0.5/);
    assert.throws(() => createCache<User>({ redis, namespace: "user", ttlSeconds: 60, lockMs: 0, log }), /invalid lockMs 0/);
  });

  describe("when redis is down", () => {
    let server: TestRedis;
    let own: FunctionRedis;
    const lines: { level: string; msg: string }[] = [];
    const debug = createLogger({ level: "debug", write: (line) => void lines.push(JSON.parse(line)) });
    before(async () => {
      server = await createTestRedis();
      own = openFunctionRedis({ name, url: server.url, log: debug, commandTimeoutMs: 200 });
      await waitFor("redis is available", () => own.available);
    });
    after(async () => {
      server.resume();
      await own.close();
      await server.stop();
    });

    it("should serve from the source of truth without throwing or waiting", async () => {
      const users = createCache<User>({ redis: own, namespace: "user", ttlSeconds: 60, log: debug });
      await server.stop();
      await waitFor("redis is unavailable", () => !own.available);
      const db = source(ada);
      for (let i = 0; i < 20; i++) assert.deepEqual(await soon(users.get("1", db.load)), ada);
      assert.equal(db.loads, 20);
      assert.ok(lines.some((line) => line.level === "debug" && line.msg === "cache bypassed redis"));
      await assert.rejects(soon(users.delete("1")), (err) => err instanceof ConnectError && err.code === Code.Unavailable);
    });

    it("should cache again once redis is back", async () => {
      await server.start();
      await waitFor("redis is available again", () => own.available);
      const users = createCache<User>({ redis: own, namespace: "user", ttlSeconds: 60, log });
      const db = source(ada);
      await users.get("1", db.load);
      await users.get("1", db.load);
      assert.equal(db.loads, 1);
    });

    it("should fall back when redis hangs", async () => {
      const users = createCache<User>({ redis: own, namespace: "hung", ttlSeconds: 60, log });
      server.pause();
      try {
        const db = source(ada);
        assert.deepEqual(await soon(users.get("1", db.load)), ada);
        assert.equal(db.loads, 1);
      } finally {
        server.resume();
      }
    });
  });
});
