import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as net from "node:net";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { echoFunction } from "../testing/echo-function.js";
import { startFunction, type StartedFunction } from "../testing/start-function.js";

/** Resolves when the server closes the socket; the test's own timeout bounds the wait. */
function closedByServer(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on("error", () => {});
    socket.once("close", () => resolve());
  });
}

describe("limits", () => {
  let server: StartedFunction;
  before(async () => {
    server = await startFunction(echoFunction, {
      KINETIC_MAX_MESSAGE_BYTES: String(64 * 1024),
      KINETIC_MAX_TIMEOUT_MS: "10000",
      KINETIC_HEADERS_TIMEOUT_MS: "300",
      KINETIC_REQUEST_TIMEOUT_MS: "600",
    });
  });
  after(() => server.close());

  it("should reject a message over the size limit with resource_exhausted", async () => {
    const client = createClient(EchoService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: true }));
    await assert.rejects(client.echo({ message: "x".repeat(65 * 1024) }), (err: unknown) => ConnectError.from(err).code === Code.ResourceExhausted);
    // A message under the limit on the same server still works.
    assert.equal((await client.echo({ message: "x".repeat(60 * 1024) })).message.length, 60 * 1024);
  });

  it("should end a Connect call at its Connect-Timeout-Ms with deadline_exceeded", async () => {
    const res = await fetch(`${server.url}/kinetic.echo.v1.EchoService/Echo`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-timeout-ms": "100" },
      body: JSON.stringify({ message: "slow", delayMs: 5000 }),
    });
    const body = (await res.json()) as { code: string };
    assert.equal(body.code, "deadline_exceeded");
  });

  it("should end a gRPC call at its grpc-timeout with status 4", async () => {
    const session = http2.connect(server.url);
    try {
      const stream = session.request({
        ":method": "POST",
        ":path": "/kinetic.echo.v1.EchoService/Echo",
        "content-type": "application/grpc+json",
        te: "trailers",
        "grpc-timeout": "100m",
      });
      const json = Buffer.from(JSON.stringify({ message: "slow", delayMs: 5000 }));
      const frame = Buffer.alloc(5 + json.length);
      frame.writeUInt32BE(json.length, 1);
      json.copy(frame, 5);
      stream.end(frame);
      const status = await new Promise<string | undefined>((resolve) => {
        stream.on("response", (headers) => headers["grpc-status"] !== undefined && resolve(String(headers["grpc-status"])));
        stream.on("trailers", (trailers) => resolve(String(trailers["grpc-status"])));
        stream.resume();
      });
      assert.equal(status, String(Code.DeadlineExceeded));
    } finally {
      session.close();
    }
  });

  it("should refuse a deadline longer than KINETIC_MAX_TIMEOUT_MS with invalid_argument", async () => {
    const client = createClient(EchoService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    await assert.rejects(client.echo({ message: "x" }, { timeoutMs: 60_000 }), (err: unknown) => ConnectError.from(err).code === Code.InvalidArgument);
  });

  it("should cut off a connection that sends nothing", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    await closedByServer(socket);
  });

  it("should cut off an HTTP/1.1 client that never finishes its headers", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    socket.write("POST /kinetic.echo.v1.EchoService/Echo HTTP/1.1\r\nHost: x\r\n");
    const timer = setInterval(() => socket.writable && socket.write("X-Slow: 1\r\n"), 100);
    try {
      await closedByServer(socket);
    } finally {
      clearInterval(timer);
    }
  });

  it("should cut off an HTTP/1.1 client that stalls in the middle of its body", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    socket.write("POST /kinetic.echo.v1.EchoService/Echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
    const response = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (d: Buffer) => (text += d.toString()));
      socket.once("close", () => resolve(text));
    });
    await closedByServer(socket);
    assert.match(await response, /^HTTP\/1\.1 408/, "answered 408 Request Timeout before closing");
  });

  it("should cut off an h2c client that stops after half the preface", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    socket.write("PRI * HTTP/2.0\r\n");
    await closedByServer(socket);
  });
});

describe("HTTP/2 idle timeout", () => {
  it("should spare a quiet stream but close a session with nothing open", async () => {
    const server = await startFunction(echoFunction, { KINETIC_IDLE_TIMEOUT_MS: "300" });
    const sessionManager = new Http2SessionManager(server.url);
    try {
      const client = createClient(EchoService, createGrpcTransport({ baseUrl: server.url, sessionManager }));
      const indexes: number[] = [];
      for await (const res of client.echoServerStream({ message: "quiet", repeat: 2, intervalMs: 900 })) indexes.push(res.index);
      assert.deepEqual(indexes, [0, 1], "a stream quiet for three idle periods runs to its end");

      const session = http2.connect(server.url);
      await new Promise<void>((resolve) => session.once("connect", () => resolve()));
      await new Promise<void>((resolve) => session.once("close", () => resolve()));
    } finally {
      sessionManager.abort();
      await server.close();
    }
  });
});
