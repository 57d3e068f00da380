import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { createProbeResponder } from "./probe-responder.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** One request with node:http; resolves status, headers and body. */
function send(url: string, method: string, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("createProbeResponder", () => {
  let ready = true;
  let server: http.Server;
  let url: string;
  const passed: string[] = [];
  before(async () => {
    const probes = createProbeResponder(() => ready);
    server = http.createServer((req, res) => {
      if (probes(req, res)) return;
      passed.push(`${req.method} ${req.url}`);
      res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("should answer /healthz and /readyz as the Hono app does, with a length, a query string or not", async () => {
    for (const [path, body] of [["/healthz", { status: "ok" }], ["/readyz?full=1", { status: "ready" }]] as const) {
      const res = await send(url, "GET", path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers["content-type"], "application/json");
      assert.equal(res.headers["content-length"], String(res.body.length));
      assert.deepEqual(JSON.parse(res.body), body);
    }
  });

  it("should answer 503 not ready while the function is not ready, and HEAD without a body", async () => {
    ready = false;
    try {
      const res = await send(url, "GET", "/readyz");
      assert.deepEqual([res.status, JSON.parse(res.body)], [503, { status: "not ready" }]);
      const head = await send(url, "HEAD", "/readyz");
      assert.deepEqual([head.status, head.body, head.headers["content-length"]], [503, "", "22"]);
      assert.equal((await send(url, "GET", "/healthz")).status, 200, "liveness does not depend on readiness");
    } finally {
      ready = true;
    }
  });

  it("should leave every other request to the app: other methods, other paths, look-alikes", async () => {
    passed.length = 0;
    for (const [method, path] of [["POST", "/healthz"], ["DELETE", "/readyz"], ["GET", "/healthz/"], ["GET", "/health"], ["GET", "/readyzz"], ["GET", "/"]] as const) {
      assert.equal((await send(url, method, path)).status, 418, `${method} ${path}`);
    }
    assert.deepEqual(passed, ["POST /healthz", "DELETE /readyz", "GET /healthz/", "GET /health", "GET /readyzz", "GET /"]);
  });
});

describe("a served function's cold path", () => {
  it("should answer probes and Connect and gRPC calls without loading undici, and load it for its first Hono route", async () => {
    // A fresh process: the test runner's own has undici loaded already.
    const script = `
      import * as http from "node:http";
      import * as http2 from "node:http2";
      import { serveFunction } from "@kinetic/runtime";
      import { echoFunction } from "@kinetic/runtime/testing";
      const undici = () => process.moduleLoadList.some((m) => m.includes("undici"));
      const fn = await serveFunction(echoFunction, { env: { ...process.env, PORT: "0", LOG_LEVEL: "info" }, host: "127.0.0.1", write: () => undefined });
      const send = (method, path, body, headers = {}) => new Promise((resolve, reject) => {
        const req = http.request(fn.url + path, { method, headers }, (res) => { let text = ""; res.on("data", (c) => (text += c)); res.on("end", () => resolve(res.statusCode + " " + text)); });
        req.on("error", reject);
        req.end(body);
      });
      const grpc = () => new Promise((resolve, reject) => {
        const session = http2.connect(fn.url);
        const req = session.request({ ":method": "POST", ":path": "/kinetic.echo.v1.EchoService/Echo", "content-type": "application/grpc", te: "trailers" });
        let status;
        req.on("trailers", (t) => (status = t["grpc-status"]));
        req.on("error", reject);
        req.resume();
        req.on("end", () => { session.close(); resolve(status); });
        req.end(Buffer.from([0, 0, 0, 0, 4, 0x0a, 0x02, 0x68, 0x69]));
      });
      const seen = { atStart: undici() };
      seen.probes = [await send("GET", "/readyz"), await send("GET", "/healthz")];
      seen.connect = await send("POST", "/kinetic.echo.v1.EchoService/Echo", '{"message":"hi"}', { "content-type": "application/json" });
      seen.grpc = await grpc();
      seen.afterCalls = undici();
      seen.route = await send("GET", "/nope");
      seen.afterRoute = undici();
      await fn.close();
      process.stdout.write(JSON.stringify(seen));
    `;
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const args = ["--conditions=kinetic-source", "--import", "tsx", "--input-type=module", "-e", script];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, env });
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(seen.probes, ['200 {"status":"ready"}', '200 {"status":"ok"}']);
    assert.deepEqual([seen.connect, seen.grpc], ['200 {"message":"hi"}', "0"]);
    assert.deepEqual([seen.atStart, seen.afterCalls], [false, false], "nothing so far needed undici");
    assert.match(String(seen.route), /^404 .*no route for GET \/nope/);
    assert.equal(seen.afterRoute, true, "the first Hono route loads its adapter, and undici with it");
  });
});
