import { Code } from "@connectrpc/connect";
import { Redis } from "ioredis";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger, type Logger } from "../log/logger.js";
import { createTestRedis, type TestRedis } from "../testing/use-redis.js";
import { connectErrorFromRedis } from "./connect-error-from-redis.js";
import { openFunctionRedis, type FunctionRedis } from "./open-function-redis.js";

function recordingLogger(): { log: Logger; lines: { level: string; msg: string; reason?: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  return { lines, log: createLogger({ level: "debug", write: (line) => void lines.push(JSON.parse(line)) }) };
}

async function waitFor(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  for (const start = Date.now(); !condition(); await sleep(20)) {
    if (Date.now() - start > ms) assert.fail(`timed out waiting until ${what}`);
  }
}

/** The error a command fails with, failing the test if it takes longer than 2 s instead. */
async function commandError(run: () => Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => (timer = setTimeout(() => resolve("pending"), 2000)));
  const outcome = await Promise.race([run().then(() => "succeeded", (err: unknown) => err), late]);
  clearTimeout(timer);
  assert.ok(outcome instanceof Error, `expected the command to fail within 2 s, but it ${String(outcome)}`);
  return outcome;
}

describe("openFunctionRedis", () => {
  const name = `kinetic-test-${randomBytes(6).toString("hex")}`;
  let raw: Redis;
  before(() => {
    raw = new Redis("redis://127.0.0.1:6379");
  });
  after(async () => {
    const keys = await raw.keys(`${name}:*`);
    if (keys.length > 0) await raw.del(keys);
    await raw.quit();
  });

  it("should prefix every key with the function's name", async () => {
    const { log } = recordingLogger();
    const redis = openFunctionRedis({ name, url: "redis://127.0.0.1:6379", log });
    try {
      await waitFor("redis is available", () => redis.available);
      await redis.client.set("visits", "1");
      await redis.client.eval("return redis.call('set', KEYS[1], ARGV[1])", 1, "scripted", "2");
      assert.deepEqual((await raw.keys(`${name}:*`)).sort(), [`${name}:scripted`, `${name}:visits`]);
      assert.equal(await raw.get(`${name}:visits`), "1");
    } finally {
      await redis.close();
    }
    assert.equal(redis.client.status, "end");
  });

  it("should reject a name that could overlap another function's keys", () => {
    const { log } = recordingLogger();
    assert.throws(() => openFunctionRedis({ name: "a:b", url: "redis://127.0.0.1:6379", log }), TypeError);
  });

  describe("when redis goes down and comes back", () => {
    let server: TestRedis;
    let redis: FunctionRedis;
    const { log, lines } = recordingLogger();
    before(async () => {
      server = await createTestRedis();
      redis = openFunctionRedis({ name, url: server.url, log });
    });
    after(async () => {
      await redis.close();
      await server.stop();
    });

    it("should log once that it connected", async () => {
      await waitFor("redis is available", () => redis.available);
      assert.deepEqual(lines.map((l) => [l.level, l.msg]), [["info", "redis connected"]]);
    });

    it("should fail commands at once with Unavailable and log one warning while down", async () => {
      await server.stop();
      await waitFor("redis is unavailable", () => !redis.available);
      const err = connectErrorFromRedis(await commandError(() => redis.client.get("k")));
      assert.equal(err.code, Code.Unavailable);
      await sleep(500); // several reconnect attempts
      const warnings = lines.filter((l) => l.level === "warn");
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]?.msg ?? "", /^redis is unavailable/);
    });

    it("should reconnect by itself and log once that it is back", async () => {
      await server.start();
      await waitFor("redis is available again", () => redis.available);
      assert.equal(await redis.client.set("k", "v"), "OK");
      assert.deepEqual(lines.map((l) => l.msg), ["redis connected", lines[1]?.msg, "redis is available again"]);
    });
  });

  it("should neither throw nor wait when redis is down at start, and close at once", async () => {
    const server = await createTestRedis();
    await server.stop();
    const { log, lines } = recordingLogger();
    const redis = openFunctionRedis({ name, url: server.url, log, connectTimeoutMs: 500 });
    try {
      assert.equal(redis.available, false);
      const err = connectErrorFromRedis(await commandError(() => redis.client.get("k")));
      assert.equal(err.code, Code.Unavailable);
      await waitFor("the failure is logged", () => lines.length > 0);
      assert.deepEqual(lines.map((l) => [l.level, l.reason]), [["warn", "redis is unavailable: connection refused"]]);
    } finally {
      await redis.close();
    }
    await sleep(300);
    assert.equal(lines.length, 1, "no reconnect after close");
  });
});
