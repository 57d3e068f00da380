import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { Redis } from "ioredis";
import postgres from "postgres";
import { startEchoServer, type EchoServer } from "../testing/start-echo-server.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../testing/start-otlp-receiver.js";
import { startTelemetry, type Telemetry } from "./start-telemetry.js";

// The SDK reads its batch settings from process.env: export within milliseconds.
process.env["OTEL_BSP_SCHEDULE_DELAY"] = "20";

const procedure = "kinetic.echo.v1.EchoService/Echo";
const streamProcedure = "kinetic.echo.v1.EchoService/EchoServerStream";

describe("startTelemetry with an OTLP endpoint", () => {
  let receiver: OtlpReceiver;
  let frontendTelemetry: Telemetry;
  let backendTelemetry: Telemetry;
  let frontend: EchoServer;
  let backend: EchoServer;
  let caller: Client<typeof EchoService>;
  const sessions: Http2SessionManager[] = [];
  const rawSql = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 2, onnotice: () => undefined });
  const rawRedis = new Redis({ host: "127.0.0.1", port: 6379, keyPrefix: `kinetic-test-${randomBytes(4).toString("hex")}:` });
  const seenIds: (ReturnType<Telemetry["currentIds"]>)[] = [];
  const seenHeaders: { traceparent: string | null; tracestate: string | null }[] = [];

  before(async () => {
    receiver = await startOtlpReceiver();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" };
    frontendTelemetry = await startTelemetry({ serviceName: "frontend", env, attributes: { "service.version": "rev-7" } });
    backendTelemetry = await startTelemetry({ serviceName: "backend-fn", env: { ...env, K_SERVICE: "backend" } });
    await rawRedis.ping();
    const sql = frontendTelemetry.instrumentSql(rawSql);
    frontendTelemetry.instrumentRedis(rawRedis);
    backend = await startEchoServer(
      {
        echo(req, ctx) {
          seenHeaders.push({ traceparent: ctx.requestHeader.get("traceparent"), tracestate: ctx.requestHeader.get("tracestate") });
          if (req.failWithCode > 0) throw new ConnectError("backend failed", req.failWithCode as Code);
          return { message: req.message };
        },
        async *echoServerStream(req) {
          for (let index = 0; index < req.repeat; index++) yield { message: req.message, index };
        },
      },
      [backendTelemetry.serverInterceptor],
    );
    const toBackend = new Http2SessionManager(backend.url);
    sessions.push(toBackend);
    const transport = createGrpcTransport({ baseUrl: backend.url, sessionManager: toBackend, interceptors: [frontendTelemetry.clientInterceptor] });
    const downstream = createClient(EchoService, transport);
    frontend = await startEchoServer(
      {
        async echo(req) {
          seenIds.push(frontendTelemetry.currentIds());
          await sql`select ${req.message}::text as secret`;
          await rawRedis.set("last", req.message);
          return { message: (await downstream.echo({ message: req.message, failWithCode: req.failWithCode })).message };
        },
        async *echoServerStream(req) {
          seenIds.push(frontendTelemetry.currentIds());
          for await (const res of downstream.echoServerStream(req)) {
            await sql`select ${res.index}::int as i`;
            yield res;
          }
        },
      },
      [frontendTelemetry.serverInterceptor],
    );
    const toFrontend = new Http2SessionManager(frontend.url);
    sessions.push(toFrontend);
    caller = createClient(EchoService, createConnectTransport({ baseUrl: frontend.url, httpVersion: "2", sessionManager: toFrontend }));
  });

  after(async () => {
    for (const s of sessions) s.abort();
    await Promise.all([frontend?.close(), backend?.close()]);
    await Promise.all([frontendTelemetry?.shutdown(), backendTelemetry?.shutdown()]);
    await Promise.all([rawSql.end({ timeout: 5 }), rawRedis.del("last").then(() => rawRedis.quit())]);
    await receiver?.close();
  });

  /** The trace of the last call the frontend served, once `count` spans have arrived. */
  async function lastTrace(count: number) {
    const traceId = seenIds.at(-1)?.trace_id;
    assert.ok(traceId, "the handler ran inside a trace");
    const spans = await receiver.waitForSpans((s) => s.traceId === traceId, count);
    const find = (predicate: (s: ReceivedSpan) => boolean, what: string) => {
      const found = spans.filter(predicate);
      assert.equal(found.length, 1, `one ${what} span in ${JSON.stringify(spans.map((s) => `${s.service} ${s.kind} ${s.name}`))}`);
      return found[0]!;
    };
    return {
      traceId,
      spans,
      server: find((s) => s.service === "frontend" && s.kind === "server", "frontend server"),
      client: find((s) => s.service === "frontend" && s.kind === "client" && s.attributes["rpc.system"] !== undefined, "client"),
      downstream: find((s) => s.service === "backend" && s.kind === "server", "backend server"),
      find,
    };
  }

  it("should trace a call through the server, a client call, Postgres and Redis in one trace", async () => {
    const secret = `s3cr3t-${randomBytes(4).toString("hex")}`;
    assert.equal((await caller.echo({ message: secret })).message, secret);
    const { traceId, spans, server, client, downstream, find } = await lastTrace(5);
    const query = find((s) => s.attributes["db.system"] === "postgresql", "postgres");
    const command = find((s) => s.attributes["db.system"] === "redis", "redis");

    assert.equal(server.parentSpanId, undefined);
    assert.equal(server.name, procedure);
    assert.deepEqual(seenIds.at(-1), { trace_id: traceId, span_id: server.spanId });
    assert.equal(client.parentSpanId, server.spanId);
    assert.equal(downstream.parentSpanId, client.spanId);
    assert.equal(query.parentSpanId, server.spanId);
    assert.equal(command.parentSpanId, server.spanId);
    assert.equal(seenHeaders.at(-1)?.traceparent, `00-${traceId}-${client.spanId}-01`);

    assert.deepEqual(server.attributes, { "rpc.system": "connect_rpc", "rpc.service": "kinetic.echo.v1.EchoService", "rpc.method": "Echo" });
    assert.deepEqual(client.attributes, {
      "rpc.system": "grpc",
      "rpc.service": "kinetic.echo.v1.EchoService",
      "rpc.method": "Echo",
      "server.address": "127.0.0.1",
      "server.port": backend.port,
      "rpc.grpc.status_code": 0,
    });
    assert.equal(downstream.attributes["rpc.grpc.status_code"], 0);
    assert.ok(spans.every((s) => s.status === "unset"));
    assert.equal(query.attributes["db.query.text"], "select $1::text as secret");
    assert.equal(command.attributes["db.operation"], "SET");
    assert.ok(!JSON.stringify(spans.map((s) => s.attributes)).includes(secret), "no parameter value in any attribute");

    assert.equal(server.resource["service.version"], "rev-7");
    assert.equal(downstream.resource["service.name"], "backend");
  });

  it("should continue an incoming traceparent and pass its tracestate on", async () => {
    const traceId = randomBytes(16).toString("hex");
    const parentId = randomBytes(8).toString("hex");
    await caller.echo({ message: "hi" }, { headers: { traceparent: `00-${traceId}-${parentId}-01`, tracestate: "kinetic=t1" } });
    const { server } = await lastTrace(5);
    assert.equal(server.traceId, traceId);
    assert.equal(server.parentSpanId, parentId);
    assert.equal(seenHeaders.at(-1)?.tracestate, "kinetic=t1");
  });

  it("should mark a server fault as an error on every span of the call", async () => {
    await assert.rejects(caller.echo({ message: "boom", failWithCode: Code.Internal }));
    const { server, client, downstream } = await lastTrace(5);
    assert.equal(downstream.status, "error");
    assert.equal(downstream.attributes["rpc.grpc.status_code"], Code.Internal);
    assert.equal(client.status, "error");
    assert.equal(client.attributes["rpc.grpc.status_code"], Code.Internal);
    assert.equal(server.status, "error");
    assert.equal(server.attributes["rpc.connect_rpc.error_code"], "internal");
  });

  it("should leave a server span's status unset for the caller's mistakes, but not the client span's", async () => {
    await assert.rejects(caller.echo({ message: "who", failWithCode: Code.NotFound }));
    const { server, client, downstream } = await lastTrace(5);
    assert.equal(downstream.status, "unset");
    assert.equal(downstream.attributes["rpc.grpc.status_code"], Code.NotFound);
    assert.equal(client.status, "error");
    assert.equal(server.status, "unset");
    assert.equal(server.attributes["rpc.connect_rpc.error_code"], "not_found");
  });

  it("should end streamed calls' spans when their streams end, with the stream's work inside", async () => {
    const received = [];
    for await (const res of caller.echoServerStream({ message: "m", repeat: 3 })) received.push(res.index);
    assert.deepEqual(received, [0, 1, 2]);
    const { server, client, downstream, spans } = await lastTrace(6);
    assert.equal(server.name, streamProcedure);
    assert.equal(client.parentSpanId, server.spanId);
    assert.equal(downstream.parentSpanId, client.spanId);
    const queries = spans.filter((s) => s.attributes["db.system"] === "postgresql");
    assert.equal(queries.length, 3);
    // The SDK stamps a span's start with Date.now() (whole milliseconds) and its end as that
    // start plus a performance.now() duration, so two spans' times are only ordered to within 1 ms.
    const ms = 1_000_000n;
    assert.ok(queries.every((q) => q.parentSpanId === server.spanId), "every query is a child of the server span");
    assert.ok(queries.every((q) => q.endNs <= server.endNs + ms), "every query ends before the stream's span");
    assert.ok(client.endNs + ms >= downstream.startNs);
  });

  it("should end a streamed call's span when the caller cancels it", async () => {
    const cancel = new AbortController();
    await assert.rejects(async () => {
      for await (const res of caller.echoServerStream({ message: "m", repeat: 10_000 }, { signal: cancel.signal })) if (res.index === 1) cancel.abort();
    });
    const traceId = seenIds.at(-1)?.trace_id;
    const [server] = await receiver.waitForSpans((s) => s.traceId === traceId && s.service === "frontend" && s.kind === "server");
    assert.equal(server?.name, streamProcedure);
    assert.equal(server?.attributes["rpc.connect_rpc.error_code"], "canceled");
    assert.equal(server?.status, "unset");
  });

  it("should export http/protobuf by default", async () => {
    const telemetry = await startTelemetry({ serviceName: "proto", env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    const routes = createRouterTransport(({ service }) => service(EchoService, { echo: (req) => ({ message: req.message }) }), {
      router: { interceptors: [telemetry.serverInterceptor] },
    });
    await createClient(EchoService, routes).echo({ message: "x" });
    await telemetry.shutdown();
    assert.ok(receiver.requests.some((r) => r.path === "/v1/traces" && r.contentType === "application/x-protobuf"));
  });
});
