import assert from "node:assert/strict";
import * as http from "node:http";
import * as http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { rejectsWith, waitFor } from "@kinetic/runtime/testing";
import { isProcessAlive } from "../testing/is-process-alive.js";
import { describeActivatorEvent, type ActivatorEvent } from "./activator-event.js";
import type { ActivatorStatus } from "./activator-status.js";
import { loadActivatorFunction } from "./load-activator-function.js";
import { startActivator, type Activator } from "./start-activator.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** A plain HTTP/1.1 request with a Host of our choosing (no DNS for `*.localhost` here). */
function request(url: string, { host, method = "GET", headers = {}, body }: { host?: string; method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, ...(host ? { host } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d));
      res.once("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.once("error", reject);
    req.end(body);
  });
}

/** One raw HTTP/2 request: the response headers, their flags (END_STREAM = trailers-only), body and trailers. */
function request2(url: string, headers: http2.OutgoingHttpHeaders, body?: Buffer) {
  return new Promise<{ headers: http2.IncomingHttpHeaders; endStream: boolean; body: Buffer; trailers: http2.IncomingHttpHeaders | undefined }>((resolve, reject) => {
    const session = http2.connect(url);
    session.once("error", reject);
    const stream = session.request(headers);
    let response: { headers: http2.IncomingHttpHeaders; endStream: boolean } | undefined;
    let trailers: http2.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.once("response", (h, flags) => (response = { headers: h, endStream: (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0 }));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (d: Buffer) => chunks.push(d));
    stream.once("end", () => {
      session.close();
      resolve({ ...response!, body: Buffer.concat(chunks), trailers });
    });
    stream.once("error", reject);
    stream.end(body);
  });
}

describe("startActivator", () => {
  let activator: Activator;
  const events: ActivatorEvent[] = [];
  const echo = () => activator.status().functions[0]!;

  before(async () => {
    const fn = await loadActivatorFunction(root, "local-dev/src/activator/testdata/echo-function.ts");
    activator = await startActivator({ functions: [fn], port: 0, basePort: 0, idleSeconds: 120, onEvent: (e) => events.push(e) });
  });
  after(async () => {
    const pids = echo().instances.map((i) => i.pid);
    await activator.close();
    for (const pid of pids) assert.equal(isProcessAlive(pid), false, `instance ${pid} is gone`);
  });

  it("should start a function at zero on its first request, which waits for it, and report the cold start", async () => {
    assert.deepEqual(echo().instances, [], "nothing runs before the first request");
    const client = createClient(EchoService, createConnectTransport({ baseUrl: activator.url, httpVersion: "1.1" }));
    assert.equal((await client.echo({ message: "wake up" })).message, "wake up");
    const { ready, lastColdStart, instances } = echo();
    assert.equal(ready, 1);
    assert.ok(lastColdStart && lastColdStart.readyMs > 0, "spawn to ready is recorded");
    assert.ok(lastColdStart.firstByteMs !== undefined && lastColdStart.firstByteMs >= lastColdStart.readyMs, "so is arrival to first byte");
    assert.equal(isProcessAlive(instances[0]!.pid), true);
    const scaled = events.find((e) => e.type === "scaled");
    assert.equal(scaled && describeActivatorEvent(scaled), `echo scaled 0 → 1 (cold start ${lastColdStart.readyMs} ms)`);
  });

  it("should route by Host in every cluster form on any port, and fall through to its own answers", async () => {
    for (const host of ["echo.localhost", "echo.localhost:8080", "echo.default.svc.cluster.local", "echo.team-a.svc:80", "echo.team-a"]) {
      const res = await request(`${activator.url}/healthz`, { host });
      assert.deepEqual([res.status, JSON.parse(res.body)], [200, { status: "ok" }], host);
    }
    for (const host of [new URL(activator.url).host, "nobody.localhost"]) {
      const res = await request(`${activator.url}/healthz`, { host });
      assert.equal(res.status, 404, host);
      assert.match(res.body, new RegExp(`no function here: address one by Host .*functions: echo \\(${activator.urlOf("echo")}, Host echo.localhost\\)`));
    }
    const viaHost = await request(`${activator.url}/`, { host: "echo.localhost" });
    assert.equal(JSON.parse(viaHost.body).code, "not_found", "GET / with a function's Host is the function's");
    const dashboard = await request(`${activator.url}/`);
    assert.match(dashboard.headers["content-type"] ?? "", /^text\/html/);
    assert.match(dashboard.body, /<title>kinetic dev<\/title>/);
    const status = JSON.parse((await request(`${activator.url}/_kinetic/status`)).body) as ActivatorStatus;
    assert.equal(status.url, activator.url);
    assert.deepEqual(
      status.functions.map((f) => [f.name, f.url, f.services, f.hosts]),
      [["echo", activator.urlOf("echo"), ["kinetic.echo.v1.EchoService"], ["echo.default.svc.cluster.local", "echo.localhost"]]],
    );
    assert.equal(status.functions[0]!.ready, 1);
  });

  it("should append the client to x-forwarded-for and forwarded, and drop hop-by-hop headers", async () => {
    const res = await request(`${activator.url}/headers`, {
      host: "echo.localhost",
      headers: { "x-forwarded-for": "203.0.113.7", connection: "keep-alive, x-private", "keep-alive": "timeout=5", "x-private": "hop", "x-kept": "end-to-end" },
    });
    const seen = JSON.parse(res.body) as Record<string, string>;
    assert.equal(seen["x-forwarded-for"], "203.0.113.7, 127.0.0.1");
    assert.equal(seen["forwarded"], 'for=127.0.0.1;host="echo.localhost";proto=http');
    assert.equal(seen["x-kept"], "end-to-end");
    assert.equal(seen["x-private"], undefined, "named in Connection");
    assert.equal(seen["keep-alive"], undefined);
  });

  it("should carry gRPC over h2c end to end: headers, trailers, errors, and every kind of stream", async () => {
    const grpc = createClient(EchoService, createGrpcTransport({ baseUrl: activator.url }));
    let header: string | null = null;
    let trailer: string | null = null;
    const res = await grpc.echo(
      { message: "grpc" },
      { headers: { "x-echo-header": "sent" }, onHeader: (h) => (header = h.get("x-echo-header")), onTrailer: (t) => (trailer = t.get("x-echo-trailer")) },
    );
    assert.deepEqual([res.message, header, trailer], ["grpc", "sent", "done"]);
    await assert.rejects(grpc.echo({ message: "no such thing", failWithCode: Code.NotFound }), rejectsWith(Code.NotFound, /^no such thing$/));
    const streamed = [];
    for await (const m of grpc.echoServerStream({ message: "tick", repeat: 5, intervalMs: 5 })) streamed.push(m.index);
    assert.deepEqual(streamed, [0, 1, 2, 3, 4]);
    const joined = await grpc.echoClientStream(
      (async function* () {
        for (const message of ["a", "b", "c"]) yield { message };
      })(),
    );
    assert.deepEqual([joined.message, joined.count], ["abc", 3]);
    const answers = [];
    for await (const m of grpc.echoBidiStream(
      (async function* () {
        for (const message of ["x", "y"]) yield { message };
      })(),
    )) {
      answers.push(m.message);
    }
    assert.deepEqual(answers, ["x", "y"]);
  });

  it("should serve Connect and gRPC-Web over HTTP/1.1 on the function's own port", async () => {
    const connect = createClient(EchoService, createConnectTransport({ baseUrl: activator.urlOf("echo")!, httpVersion: "1.1" }));
    assert.equal((await connect.echo({ message: "h1" })).message, "h1");
    const streamed = [];
    for await (const m of connect.echoServerStream({ message: "s", repeat: 3 })) streamed.push(m.index);
    assert.deepEqual(streamed, [0, 1, 2]);
    const web = createClient(EchoService, createGrpcWebTransport({ baseUrl: activator.urlOf("echo")!, httpVersion: "1.1" }));
    assert.equal((await web.echo({ message: "web" })).message, "web");
  });

  it("should answer an RPC to a service no function serves with unimplemented, in the caller's protocol, naming the services", async () => {
    const path = "/kinetic.nothing.v1.NothingService/Do";
    const grpc = await request2(activator.url, { ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" }, Buffer.alloc(5));
    assert.equal(grpc.endStream, true, "a trailers-only response");
    assert.equal(grpc.headers[":status"], 200);
    assert.equal(grpc.headers["grpc-status"], "12");
    assert.match(decodeURIComponent(String(grpc.headers["grpc-message"])), /^no function serves kinetic\.nothing\.v1\.NothingService; the services here: kinetic\.echo\.v1\.EchoService \(echo\)$/);
    const connect = await request(`${activator.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(connect.status, 404);
    const error = JSON.parse(connect.body) as { code: string; message: string };
    assert.equal(error.code, "unimplemented");
    assert.match(error.message, /no function serves kinetic\.nothing\.v1\.NothingService; the services here: kinetic\.echo\.v1\.EchoService \(echo\)/);
    const health = await request2(activator.url, { ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc", te: "trailers" }, Buffer.alloc(5));
    assert.equal(health.headers["grpc-status"], "12");
    assert.match(decodeURIComponent(String(health.headers["grpc-message"])), /every function serves grpc\.health\.v1\.Health: address one by Host/);
  });

  it("should cancel the stream to the instance when the client cancels its own", async () => {
    const grpc = createClient(EchoService, createGrpcTransport({ baseUrl: activator.url }));
    const abort = new AbortController();
    let received = 0;
    await assert.rejects(async () => {
      for await (const _ of grpc.echoServerStream({ message: "endless", repeat: 10_000, intervalMs: 20 }, { signal: abort.signal })) {
        if (++received === 3) abort.abort();
      }
    }, rejectsWith(Code.Canceled, /./));
    // Without the reset passed on, the instance would stream for another 200 s and the request stay in flight.
    await waitFor(() => (echo().inFlight === 0 ? true : undefined), 5000, "the instance's stream to end");
    assert.equal(echo().instances[0]!.inFlight, 0);
  });
});

describe("startActivator with LOG_LEVEL=warn", () => {
  it("should still learn the instance's port (over IPC, not from the info-level log line) and serve", async () => {
    const fn = await loadActivatorFunction(root, "local-dev/src/activator/testdata/echo-function.ts");
    const lines: string[] = [];
    const activator = await startActivator({
      functions: [fn],
      port: 0,
      basePort: 0,
      idleSeconds: 120,
      env: { ...process.env, LOG_LEVEL: "warn" },
      onLine: (_fn, _instance, line) => lines.push(line),
    });
    try {
      const client = createClient(EchoService, createConnectTransport({ baseUrl: activator.url, httpVersion: "1.1" }));
      const res = await client.echo({ message: "quiet" });
      assert.equal(res.message, "quiet");
      assert.ok(activator.status().functions[0]!.lastColdStart, "the cold start is recorded");
      assert.ok(!lines.some((l) => l.includes('"msg":"serving"')), "no info line was there to read");
    } finally {
      await activator.close();
    }
  });
});
