import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@kinetic/contracts/grpc/health/v1/health_pb.js";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { spawnFunction } from "../testing/spawn-function.js";

describe("graceful shutdown", () => {
  it("should finish every in-flight request and stream after SIGTERM, refuse new connections, and exit 0", async () => {
    const fn = await spawnFunction("shared/src/testing/echo-function.ts");
    const sessionManager = new Http2SessionManager(fn.url);
    const h1 = createClient(EchoService, createConnectTransport({ baseUrl: fn.url, httpVersion: "1.1" }));
    const h2 = createClient(EchoService, createGrpcTransport({ baseUrl: fn.url, sessionManager }));

    const unaryH1 = h1.echo({ message: "h1", delayMs: 1500 });
    const unaryH2 = h2.echo({ message: "h2", delayMs: 1500 });
    const stream = h2.echoServerStream({ message: "s", repeat: 6, intervalMs: 250 })[Symbol.asyncIterator]();
    const first = await stream.next(); // the stream is in flight on the server
    assert.equal(first.done, false);
    const watch = createClient(Health, createGrpcTransport({ baseUrl: fn.url, sessionManager })).watch({ service: "" })[Symbol.asyncIterator]();
    assert.equal((await watch.next()).value?.status, ServingStatus.SERVING);

    fn.child.kill("SIGTERM");
    const indexes = [(first.value as { index: number }).index];
    for (let r = await stream.next(); !r.done; r = await stream.next()) indexes.push(r.value.index);

    assert.equal((await unaryH1).message, "h1");
    assert.equal((await unaryH2).message, "h2");
    assert.deepEqual(indexes, [0, 1, 2, 3, 4, 5]);
    const watched = await watch.next();
    assert.equal(watched.value?.status, ServingStatus.NOT_SERVING, "watchers hear the server is going away");
    assert.equal((await watch.next()).done, true, "and their stream ends, so it does not hold up the drain");
    await assert.rejects(fetch(`${fn.url}/healthz`), "new connections are refused while draining");
    assert.equal(await fn.exited, 0);
    sessionManager.abort();
    const stopped = fn.logs.find((l) => l["msg"] === "stopped");
    assert.deepEqual([stopped?.["completed"], stopped?.["abandoned"]], [true, 0]);
  });

  it("should cut off what is still running at the drain bound and exit 1", async () => {
    const fn = await spawnFunction("shared/src/testing/echo-function.ts", { KINETIC_DRAIN_TIMEOUT_MS: "300" });
    const client = createClient(EchoService, createConnectTransport({ baseUrl: fn.url, httpVersion: "1.1" }));
    const slow = client.echo({ message: "too slow", delayMs: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    fn.child.kill("SIGTERM");
    await assert.rejects(slow);
    assert.equal(await fn.exited, 1);
  });
});

describe("configuration", () => {
  it("should stop at start with one line naming each malformed variable", async () => {
    const fn = spawnFunction("shared/src/testing/echo-function.ts", { PORT: "eighty", LOG_LEVEL: "loud" });
    await assert.rejects(fn, (err: Error) => {
      const lines = err.message.split(": ").slice(1).join(": ").trim().split("\n");
      assert.equal(lines.length, 1, err.message);
      assert.match(lines[0]!, /PORT must be an integer between 0 and 65535, got "eighty"/);
      assert.match(lines[0]!, /LOG_LEVEL must be one of debug, info, warn, error, got "loud"/);
      return true;
    });
  });
});
