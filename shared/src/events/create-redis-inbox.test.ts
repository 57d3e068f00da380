import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { UserCreatedSchema, type UserCreated } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { Hono } from "hono";
import { Redis } from "ioredis";
import { createLogger, type LogFields } from "../log/logger.js";
import { openFunctionRedis, type FunctionRedis } from "../redis/open-function-redis.js";
import { createTestRedis } from "../testing/use-redis.js";
import { waitFor } from "../testing/wait-for.js";
import type { CloudEvent } from "./cloud-event.js";
import { cloudEventToHttp } from "./cloud-event-to-http.js";
import { createEventReceiver } from "./create-event-receiver.js";
import type { EventHandler, EventRuntime } from "./event-context.js";
import { on } from "./subscription.js";

const quiet = createLogger({ level: "error", write: () => undefined });

function userCreated(): CloudEvent {
  return {
    specversion: "1.0",
    id: crypto.randomUUID(),
    source: "/functions/identity",
    type: "kinetic.identity.user.created.v1",
    datacontenttype: "application/json",
    data: new TextEncoder().encode(toJsonString(UserCreatedSchema, create(UserCreatedSchema, { user: { id: "u1" } }))),
    extensions: {},
  };
}

/** A receiver deduplicating in `redis` (no Postgres) whose handler is `handler`. */
function serve(redis: FunctionRedis, handler: EventHandler<UserCreated>) {
  const lines: LogFields[] = [];
  const runtime: EventRuntime = {
    redis,
    log: createLogger({ write: (line) => void lines.push(JSON.parse(line) as LogFields) }),
    client: (() => assert.fail("no client in this test")) as EventRuntime["client"],
    source: "/functions/mailer",
  };
  const app = new Hono();
  createEventReceiver({ subscriptions: [on(UserCreatedSchema, handler)], runtime, dedupTtlSeconds: 60 }).routes(app);
  const post = async (event: CloudEvent) => {
    const { headers, body } = cloudEventToHttp(event);
    return app.request("/", { method: "POST", headers, body });
  };
  return { post, lines };
}

describe("deduplication with Redis only", () => {
  const name = `kinetic-test-${randomBytes(6).toString("hex")}`;
  let raw: Redis;
  let redis: FunctionRedis;
  const keyOf = (event: CloudEvent) => `${name}:inbox:%2Ffunctions%2Fidentity:${event.id}`;
  before(async () => {
    raw = new Redis("redis://127.0.0.1:6379");
    redis = openFunctionRedis({ name, url: "redis://127.0.0.1:6379", log: quiet });
    await waitFor(() => redis.available || undefined, 5000, "redis");
  });
  after(async () => {
    await redis.close();
    const keys = await raw.keys(`${name}:*`);
    if (keys.length > 0) await raw.del(keys);
    await raw.quit();
  });

  it("should run the handler once for a redelivered event and remember it for the TTL", async () => {
    let runs = 0;
    const { post, lines } = serve(redis, async () => void runs++);
    const event = userCreated();
    assert.equal((await post(event)).status, 202);
    assert.equal((await post(event)).status, 202);
    assert.equal(runs, 1);
    assert.equal(await raw.get(keyOf(event)), "done");
    const ttl = await raw.ttl(keyOf(event));
    assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
    assert.deepEqual(lines.map((l) => [l["outcome"], l["dedup"]]), [["handled", "redis"], ["duplicate", "redis"]]);
  });

  it("should forget a failed delivery at once, so the redelivery runs the handler again", async () => {
    let attempts = 0;
    const { post } = serve(redis, async () => {
      if (++attempts === 1) throw new Error("smtp is down");
    });
    const event = userCreated();
    assert.equal((await post(event)).status, 500);
    assert.equal(await raw.exists(keyOf(event)), 0);
    assert.equal((await post(event)).status, 202);
    assert.equal(attempts, 2);
  });

  it("should answer 503 to a delivery of an event another delivery is handling", async () => {
    let runs = 0;
    const { post } = serve(redis, async () => {
      runs++;
      await sleep(200);
    });
    const event = userCreated();
    const first = post(event);
    await waitFor(() => runs || undefined, 2000, "the first delivery");
    const second = await post(event);
    assert.equal(second.status, 503);
    assert.match(((await second.json()) as { message: string }).message, /being handled by another delivery/);
    assert.equal((await first).status, 202);
    assert.equal((await post(event)).status, 202);
    assert.equal(runs, 1);
  });

  it("should run an event again once the lease of a crashed delivery expired", async () => {
    let runs = 0;
    const { post } = serve(redis, async () => void runs++);
    const event = userCreated();
    await raw.set(keyOf(event), "processing:crashed", "PX", 300); // what a delivery killed mid-handler leaves
    assert.equal((await post(event)).status, 503);
    await sleep(350);
    assert.equal((await post(event)).status, 202);
    assert.equal(runs, 1);
  });

  it("should keep handling events, without deduplication, while Redis is down", async () => {
    const server = await createTestRedis();
    const lines: LogFields[] = [];
    const log = createLogger({ write: (line) => void lines.push(JSON.parse(line) as LogFields) });
    const flaky = openFunctionRedis({ name, url: server.url, log: quiet });
    try {
      await waitFor(() => flaky.available || undefined, 5000, "redis");
      await server.stop();
      await waitFor(() => !flaky.available || undefined, 5000, "redis to go");
      let runs = 0;
      const app = new Hono();
      const client = (() => assert.fail("no client in this test")) as EventRuntime["client"];
      const runtime: EventRuntime = { redis: flaky, log, client, source: "/functions/mailer" };
      createEventReceiver({ subscriptions: [on(UserCreatedSchema, async () => void runs++)], runtime }).routes(app);
      const { headers, body } = cloudEventToHttp(userCreated());
      for (let i = 0; i < 2; i++) assert.equal((await app.request("/", { method: "POST", headers, body })).status, 202);
      assert.equal(runs, 2);
      assert.equal(lines.filter((l) => l["msg"] === "event handled without deduplication: redis is unavailable").length, 2);
    } finally {
      await flaky.close();
      await server.stop();
    }
  });

  it("should map a ConnectError from the handler as with Postgres", async () => {
    const { post } = serve(redis, async () => Promise.reject(new ConnectError("quota", Code.ResourceExhausted)));
    const event = userCreated();
    assert.equal((await post(event)).status, 429);
    assert.equal(await raw.exists(keyOf(event)), 0);
  });
});
