import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import postgres from "postgres";
import { startEchoServer, type EchoServer } from "../testing/start-echo-server.js";
import { startTelemetry, type Telemetry } from "./start-telemetry.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("startTelemetry without an endpoint", () => {
  let telemetry: Telemetry;
  let frontend: EchoServer;
  let backend: EchoServer;
  let caller: Client<typeof EchoService>;
  const sessions: Http2SessionManager[] = [];
  const rawSql = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => undefined });
  const seenIds: ReturnType<Telemetry["currentIds"]>[] = [];
  const seenTraceparents: (string | null)[] = [];

  before(async () => {
    telemetry = await startTelemetry({ serviceName: "quiet", env: {} });
    const sql = telemetry.instrumentSql(rawSql);
    backend = await startEchoServer(
      {
        echo(req, ctx) {
          seenTraceparents.push(ctx.requestHeader.get("traceparent"));
          return { message: req.message };
        },
      },
      [],
    );
    sessions.push(new Http2SessionManager(backend.url));
    const downstream = createClient(
      EchoService,
      createGrpcTransport({ baseUrl: backend.url, sessionManager: sessions[0]!, interceptors: [telemetry.clientInterceptor] }),
    );
    frontend = await startEchoServer(
      {
        async echo(req) {
          await sql`select 1`; // works untraced
          seenIds.push(telemetry.currentIds());
          return downstream.echo(req);
        },
      },
      [telemetry.serverInterceptor],
    );
    sessions.push(new Http2SessionManager(frontend.url));
    caller = createClient(EchoService, createConnectTransport({ baseUrl: frontend.url, httpVersion: "2", sessionManager: sessions[1]! }));
  });

  after(async () => {
    for (const s of sessions) s.abort();
    await Promise.all([frontend?.close(), backend?.close(), rawSql.end({ timeout: 5 }), telemetry?.shutdown()]);
  });

  it("should carry an incoming trace id into currentIds and the outgoing traceparent", async () => {
    const traceId = randomBytes(16).toString("hex");
    const parentId = randomBytes(8).toString("hex");
    await caller.echo({ message: "hi" }, { headers: { traceparent: `00-${traceId}-${parentId}-01` } });
    assert.deepEqual(seenIds.at(-1), { trace_id: traceId, span_id: parentId });
    assert.equal(seenTraceparents.at(-1), `00-${traceId}-${parentId}-01`);
  });

  it("should add no trace to a call that arrived without one", async () => {
    await caller.echo({ message: "hi" });
    assert.equal(seenIds.at(-1), undefined);
    assert.equal(seenTraceparents.at(-1), null);
  });

  it("should import the SDK only when an endpoint is set, once the first span has ended, and install no signal handler", async () => {
    const script = `
      const { createRequire } = await import("node:module");
      const { setTimeout: sleep } = await import("node:timers/promises");
      const { trace } = await import("@opentelemetry/api");
      const { startTelemetry } = await import(${JSON.stringify(new URL("./start-telemetry.ts", import.meta.url).href)});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("/@opentelemetry/sdk-node/"));
      const off = await startTelemetry({ serviceName: "x", env: {} });
      const withoutEndpoint = loaded();
      const on = await startTelemetry({ serviceName: "x", env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" } });
      const atStart = loaded();
      trace.getTracer("test").startSpan("first").end();
      for (let i = 0; i < 200 && !loaded(); i++) await sleep(10);
      console.log(JSON.stringify({ withoutEndpoint, atStart, afterFirstSpan: loaded(), signals: process.listenerCount("SIGTERM") + process.listenerCount("SIGINT") }));
      await Promise.all([off.shutdown(), on.shutdown()]);
    `;
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const args = ["--conditions=kinetic-source", "--import", "tsx", "--input-type=module", "-e", script];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, env });
    assert.deepEqual(JSON.parse(stdout), { withoutEndpoint: false, atStart: false, afterFirstSpan: true, signals: 0 });
  });
});
