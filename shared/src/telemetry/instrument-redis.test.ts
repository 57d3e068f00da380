import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { Redis } from "ioredis";
import { createTestTracer } from "../testing/create-test-tracer.js";
import { instrumentRedis } from "./instrument-redis.js";

describe("instrumentRedis", () => {
  const { tracer, spans, inSpan } = createTestTracer();
  const prefix = `kinetic-test-${randomBytes(4).toString("hex")}:`;
  const client = new Redis({ host: "127.0.0.1", port: 6379, keyPrefix: prefix, lazyConnect: true, maxRetriesPerRequest: 1 });
  instrumentRedis(tracer, client);
  instrumentRedis(tracer, client); // twice changes nothing
  after(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys.map((k) => k.slice(prefix.length)));
    await client.quit();
  });
  const commandSpans = () => spans().filter((s) => s.attributes["db.system.name"] === "redis");

  it("should trace a command queued before the connection once, without its arguments", async () => {
    const secret = "s3cr3t-value";
    await inSpan(() => client.set("greeting", secret));
    const traced = commandSpans().filter((s) => s.name === "SET");
    assert.equal(traced.length, 1);
    const [span] = traced;
    assert.equal(span?.kind, SpanKind.CLIENT);
    assert.equal(span?.parentSpanContext?.spanId, spans().at(-1)?.spanContext().spanId);
    assert.deepEqual(span?.attributes, {
      "db.system.name": "redis",
      "db.system": "redis",
      "db.namespace": "0",
      "server.address": "127.0.0.1",
      "server.port": 6379,
      "db.operation.name": "SET",
      "db.operation": "SET",
    });
    assert.ok(!JSON.stringify(span?.attributes).includes(secret));
    assert.ok(!JSON.stringify(span?.attributes).includes("greeting"));
  });

  it("should trace each command of a pipeline and a transaction", async () => {
    const before = commandSpans().length;
    await inSpan(() => client.pipeline().incr("counter").expire("counter", 60).exec());
    await inSpan(() => client.multi().get("greeting").exec());
    assert.deepEqual(
      commandSpans().slice(before).map((s) => s.name),
      ["INCR", "EXPIRE", "MULTI", "GET", "EXEC"],
    );
  });

  it("should mark a failed command", async () => {
    const before = commandSpans().length;
    await assert.rejects(inSpan(() => client.incr("greeting")));
    const [span] = commandSpans().slice(before);
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.attributes["error.type"], "ReplyError");
  });

  it("should not trace commands outside a trace", async () => {
    const before = commandSpans().length;
    await client.get("greeting");
    assert.equal(commandSpans().length, before);
  });
});
