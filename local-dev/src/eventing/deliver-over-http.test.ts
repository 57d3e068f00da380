import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { describe, it } from "node:test";
import { closedPortUrl, startBlackHole } from "@kinetic/runtime/testing";
import { brokerEventOf } from "./broker-event.js";
import { deliverOverHttp } from "./deliver-over-http.js";
import { startTestSubscriber } from "./test-subscriber.js";

const event = brokerEventOf({ specversion: "1.0", id: "e1", source: "/functions/identity", type: "kinetic.identity.user.created.v1", datacontenttype: "application/json" }, Buffer.from('{"user":{"id":"u1"}}'));
const options = () => ({ timeoutMs: 5_000, signal: new AbortController().signal });

/** A keep-alive HTTP server answering with `handle(req, res, n)`, n counting requests on the request's connection. */
async function startServer(handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  const perSocket = new Map<Socket, number>();
  const server = createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    req.resume();
    req.on("end", () => handle(req, res, n));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    connections: () => perSocket.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("deliverOverHttp", () => {
  it("should POST the event in binary mode with Prefer: reply and return the whole response", async () => {
    const subscriber = await startTestSubscriber(() => ({ status: 200, headers: { "ce-id": "r1", "kne-reason": "a", "content-type": "text/plain" }, body: "x".repeat(100_000) }));
    try {
      const attempt = await deliverOverHttp(`${subscriber.url}/`, event, options());
      assert.equal(attempt.status, 200);
      assert.equal(attempt.headers.get("ce-id"), "r1");
      assert.equal(attempt.headers.get("kne-reason"), "a");
      assert.equal(attempt.body.toString(), "x".repeat(100_000));
      const [delivery] = subscriber.received;
      assert.equal(delivery?.headers["ce-id"], "e1");
      assert.equal(delivery?.headers["content-type"], "application/json");
      assert.equal(delivery?.headers["prefer"], "reply");
      assert.equal(delivery?.body.toString(), '{"user":{"id":"u1"}}');
    } finally {
      await subscriber.close();
    }
  });

  it("should reuse one connection for consecutive deliveries", async () => {
    const server = await startServer((_, res) => res.writeHead(202).end());
    try {
      for (let i = 0; i < 5; i++) assert.equal((await deliverOverHttp(server.url, event, options())).status, 202);
      assert.equal(server.connections(), 1);
    } finally {
      await server.close();
    }
  });

  it("should send again on a new connection when the subscriber closed the kept-alive one as it was reused", async () => {
    // The second request on a connection finds it closed, as when a server's keep-alive timeout ends just then.
    const server = await startServer((req, res, n) => (n === 2 ? req.socket.destroy() : res.writeHead(202).end()));
    try {
      assert.equal((await deliverOverHttp(server.url, event, options())).status, 202);
      assert.equal((await deliverOverHttp(server.url, event, options())).status, 202);
      assert.equal(server.connections(), 2);
    } finally {
      await server.close();
    }
  });

  it("should return a refused connection, a timeout and a URL it cannot POST to as attempts without status", async () => {
    const refused = await deliverOverHttp(`${await closedPortUrl()}/`, event, options());
    assert.equal(refused.status, undefined);
    assert.match(refused.status === undefined ? refused.error.message : "", /ECONNREFUSED/);
    for (const [url, message] of [["not a url", /not a URL/], ["ftp://127.0.0.1/", /only http and https/]] as const) {
      const attempt = await deliverOverHttp(url, event, options());
      assert.match(attempt.status === undefined ? attempt.error.message : "", message);
    }
    const hole = await startBlackHole();
    try {
      const timedOut = await deliverOverHttp(`${hole.url}/`, event, { timeoutMs: 100, signal: new AbortController().signal });
      assert.equal(timedOut.status, undefined);
      assert.match(timedOut.status === undefined ? timedOut.error.message : "", /no response within 100 ms/);
    } finally {
      await hole.close();
    }
  });

  it("should reject with the abort reason when the dispatcher stops", async () => {
    const hole = await startBlackHole();
    try {
      const abort = new AbortController();
      const attempt = deliverOverHttp(`${hole.url}/`, event, { timeoutMs: 30_000, signal: abort.signal });
      setTimeout(() => abort.abort(new Error("dispatcher closing")), 50);
      await assert.rejects(attempt, /dispatcher closing/);
      await assert.rejects(deliverOverHttp(`${hole.url}/`, event, { timeoutMs: 30_000, signal: abort.signal }), /dispatcher closing/, "already aborted");
    } finally {
      await hole.close();
    }
  });
});
