import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@kinetic/contracts/grpc/health/v1/health_pb.js";
import { echoFunction } from "../testing/echo-function.js";
import { startFunction, type StartedFunction } from "../testing/start-function.js";

const buf = fileURLToPath(new URL("../../../node_modules/.bin/buf", import.meta.url));
const run = promisify(execFile);

function h2get(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const req = session.request({ ":path": path });
    let status = 0;
    let body = "";
    req.on("response", (h) => (status = Number(h[":status"])));
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => {
      session.close();
      resolve({ status, body });
    });
  });
}

describe("plain HTTP, health and reflection on the same port", () => {
  let server: StartedFunction;
  before(async () => {
    server = await startFunction(echoFunction);
  });
  after(() => server.close());

  it("should answer /healthz and /readyz over HTTP/1.1", async () => {
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: "ok" });
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  it("should answer /readyz over h2c", async () => {
    const res = await h2get(server.url, "/readyz");
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { status: "ready" });
  });

  it("should answer an unknown route with a 404 that says what RPC paths look like", async () => {
    const res = await fetch(`${server.url}/nope`);
    assert.equal(res.status, 404);
    const body = (await res.json()) as { message: string };
    assert.match(body.message, /no route for GET \/nope/);
  });

  it("should report SERVING through grpc.health.v1 for the server and each service", async () => {
    const sessionManager = new Http2SessionManager(server.url);
    try {
      const health = createClient(Health, createGrpcTransport({ baseUrl: server.url, sessionManager }));
      assert.equal((await health.check({ service: "" })).status, ServingStatus.SERVING);
      assert.equal((await health.check({ service: "kinetic.echo.v1.EchoService" })).status, ServingStatus.SERVING);
    } finally {
      sessionManager.abort();
    }
  });

  for (const protocol of ["grpc", "connect", "grpcweb"]) {
    it(`should let buf curl list and call services through reflection (${protocol})`, async () => {
      const listed = await run(buf, ["curl", "--http2-prior-knowledge", "--protocol", protocol, "--list-services", server.url]);
      assert.match(listed.stdout, /kinetic\.echo\.v1\.EchoService/);
      assert.match(listed.stdout, /grpc\.health\.v1\.Health/);
      const called = await run(buf, [
        "curl",
        "--http2-prior-knowledge",
        "--protocol",
        protocol,
        "--data",
        '{"message":"from buf curl"}',
        `${server.url}/kinetic.echo.v1.EchoService/Echo`,
      ]);
      assert.deepEqual(JSON.parse(called.stdout), { message: "from buf curl" });
    });
  }
});
