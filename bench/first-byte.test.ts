import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { timeToFirstByte } from "./first-byte.mjs";

describe("timeToFirstByte", () => {
  let server: Server;
  let port: number;
  const seen: { host: string | undefined; body: string }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        seen.push({ host: req.headers.host, body });
        // The answer starts only after 150 ms: the first byte cannot come sooner.
        setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(body), 150);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("should time the first byte of the answer from the request, sending the given Host and body", async () => {
    const answer = await timeToFirstByte({ port, path: "/echo", headers: { "content-type": "application/json", host: "echo.localhost" }, body: Buffer.from('{"message":"hi"}') });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), '{"message":"hi"}');
    assert.ok(answer.firstByteMs >= 150, `${answer.firstByteMs} ms`);
    assert.deepEqual(seen.at(-1), { host: "echo.localhost", body: '{"message":"hi"}' });
  });

  it("should count from `from` when given, as a spawn does", async () => {
    const from = performance.now() - 1000;
    const answer = await timeToFirstByte({ port, path: "/", headers: {}, body: Buffer.from("x"), from });
    assert.ok(answer.firstByteMs >= 1150, `${answer.firstByteMs} ms`);
  });

  it("should reject when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(timeToFirstByte({ port: unused, path: "/", headers: {}, body: Buffer.from("x") }), /ECONNREFUSED/);
  });
});
