import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import {
  EchoBidiStreamRequestSchema,
  EchoBidiStreamResponseSchema,
  EchoClientStreamRequestSchema,
  EchoClientStreamResponseSchema,
  EchoRequestSchema,
  EchoResponseSchema,
  EchoServerStreamRequestSchema,
  EchoServerStreamResponseSchema,
  EchoService,
} from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { echoFunction } from "../testing/echo-function.js";
import { startFunction, type StartedFunction } from "../testing/start-function.js";

interface Case {
  name: string;
  http2: boolean;
  transport: (url: string, sessions: Http2SessionManager[]) => Transport;
}

function session(url: string, sessions: Http2SessionManager[]): Http2SessionManager {
  const manager = new Http2SessionManager(url);
  sessions.push(manager);
  return manager;
}

// Every protocol × codec × HTTP version the runtime must serve on its one port.
const cases: Case[] = [
  { name: "Connect JSON over HTTP/1.1", http2: false, transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" }) },
  {
    name: "Connect binary over HTTP/1.1",
    http2: false,
    transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  },
  {
    name: "Connect JSON over h2c",
    http2: true,
    transport: (baseUrl, s) => createConnectTransport({ baseUrl, httpVersion: "2", sessionManager: session(baseUrl, s) }),
  },
  {
    name: "Connect binary over h2c",
    http2: true,
    transport: (baseUrl, s) => createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, sessionManager: session(baseUrl, s) }),
  },
  { name: "gRPC over h2c", http2: true, transport: (baseUrl, s) => createGrpcTransport({ baseUrl, sessionManager: session(baseUrl, s) }) },
  {
    name: "gRPC-Web binary over HTTP/1.1",
    http2: false,
    transport: (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  },
  { name: "gRPC-Web JSON over HTTP/1.1", http2: false, transport: (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }) },
  {
    name: "gRPC-Web binary over h2c",
    http2: true,
    transport: (baseUrl, s) => createGrpcWebTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, sessionManager: session(baseUrl, s) }),
  },
];

async function* messages(...texts: string[]) {
  for (const message of texts) yield { message };
}

describe("protocol matrix (connect-node clients)", () => {
  let server: StartedFunction;
  const sessions: Http2SessionManager[] = [];
  before(async () => {
    server = await startFunction(echoFunction);
  });
  after(async () => {
    for (const s of sessions) s.abort();
    await server.close();
  });

  for (const c of cases) {
    describe(c.name, () => {
      it("should answer a unary call with headers and trailers", async () => {
        const client = createClient(EchoService, c.transport(server.url, sessions));
        let header: Headers | undefined;
        let trailer: Headers | undefined;
        const res = await client.echo(
          { message: "héllo ✓" },
          { headers: { "x-echo-header": "h1" }, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) },
        );
        assert.equal(res.message, "héllo ✓");
        assert.equal(header?.get("x-echo-header"), "h1");
        assert.equal(trailer?.get("x-echo-trailer"), "done");
      });

      it("should carry an error code and message to the client", async () => {
        const client = createClient(EchoService, c.transport(server.url, sessions));
        await assert.rejects(client.echo({ message: "no such thing", failWithCode: Code.NotFound }), (err: unknown) => {
          const e = ConnectError.from(err);
          return e.code === Code.NotFound && e.rawMessage === "no such thing";
        });
      });

      it("should stream server messages in order", async () => {
        const client = createClient(EchoService, c.transport(server.url, sessions));
        const received: number[] = [];
        for await (const res of client.echoServerStream({ message: "s", repeat: 5 })) received.push(res.index);
        assert.deepEqual(received, [0, 1, 2, 3, 4]);
      });

      if (c.http2) {
        it("should take a client stream", async () => {
          const client = createClient(EchoService, c.transport(server.url, sessions));
          const res = await client.echoClientStream(messages("a", "b", "c"));
          assert.deepEqual([res.message, res.count], ["abc", 3]);
        });

        it("should answer a bidi stream message by message", async () => {
          const client = createClient(EchoService, c.transport(server.url, sessions));
          const received: string[] = [];
          for await (const res of client.echoBidiStream(messages("x", "y"))) received.push(res.message);
          assert.deepEqual(received, ["x", "y"]);
        });
      }

      it("should reject a request breaking a proto rule with invalid_argument naming the field", async () => {
        const client = createClient(EchoService, c.transport(server.url, sessions));
        const stream = client.echoServerStream({ message: "s", repeat: 20_000 });
        await assert.rejects(
          (async () => {
            for await (const _ of stream);
          })(),
          (err: unknown) => {
            const e = ConnectError.from(err);
            return e.code === Code.InvalidArgument && e.rawMessage.includes("repeat") && e.rawMessage.includes("[int32.gte_lte]");
          },
        );
      });
    });
  }

  it("should log one line per RPC with procedure, protocol, code and trace id", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const client = createClient(EchoService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    await client.echo({ message: "log me" }, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    const line = server.logs.find((l) => l["trace_id"] === traceId);
    assert.ok(line, "a request line carries the trace id");
    assert.equal(line["procedure"], "kinetic.echo.v1.EchoService/Echo");
    assert.equal(line["protocol"], "connect");
    assert.equal(line["code"], "ok");
    assert.equal(line["function"], "echo");
    assert.equal(typeof line["duration_ms"], "number");
    assert.ok(!JSON.stringify(server.logs).includes("log me"), "request bodies are never logged");
  });
});

describe("protocol matrix (@grpc/grpc-js client)", () => {
  let server: StartedFunction;
  let client: grpc.Client;
  const path = (method: string) => `/kinetic.echo.v1.EchoService/${method}`;
  const codec = <T>(schema: Parameters<typeof toBinary>[0]) => ({
    serialize: (m: T) => Buffer.from(toBinary(schema, m as never)),
    deserialize: (b: Buffer) => fromBinary(schema, b) as T,
  });
  before(async () => {
    server = await startFunction(echoFunction);
    client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it("should answer unary with trailers", async () => {
    const { serialize } = codec(EchoRequestSchema);
    const { deserialize } = codec<{ message: string }>(EchoResponseSchema);
    const trailers = new Promise<grpc.Metadata>((resolve) => {
      const call = client.makeUnaryRequest(path("Echo"), serialize, deserialize, create(EchoRequestSchema, { message: "grpc-js" }), (err, res) => {
        assert.ifError(err);
        assert.equal(res?.message, "grpc-js");
      });
      call.on("status", (status) => resolve(status.metadata));
    });
    assert.deepEqual((await trailers).get("x-echo-trailer"), ["done"]);
  });

  it("should receive the error code", async () => {
    const { serialize } = codec(EchoRequestSchema);
    const { deserialize } = codec(EchoResponseSchema);
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(path("Echo"), serialize, deserialize, create(EchoRequestSchema, { message: "gone", failWithCode: Code.FailedPrecondition }), (e) =>
        resolve(e),
      ),
    );
    assert.equal(err?.code, grpc.status.FAILED_PRECONDITION);
    assert.equal(err?.details, "gone");
  });

  it("should stream from the server", async () => {
    const { serialize } = codec(EchoServerStreamRequestSchema);
    const { deserialize } = codec<{ index: number }>(EchoServerStreamResponseSchema);
    const call = client.makeServerStreamRequest(path("EchoServerStream"), serialize, deserialize, create(EchoServerStreamRequestSchema, { message: "m", repeat: 3 }));
    const indexes: number[] = [];
    for await (const res of call as AsyncIterable<{ index: number }>) indexes.push(res.index);
    assert.deepEqual(indexes, [0, 1, 2]);
  });

  it("should take a client stream", async () => {
    const { serialize } = codec(EchoClientStreamRequestSchema);
    const { deserialize } = codec<{ message: string; count: number }>(EchoClientStreamResponseSchema);
    const res = await new Promise<{ message: string; count: number } | undefined>((resolve, reject) => {
      const call = client.makeClientStreamRequest(path("EchoClientStream"), serialize, deserialize, (err, r) => (err ? reject(err) : resolve(r)));
      for (const m of ["1", "2", "3", "4"]) call.write(create(EchoClientStreamRequestSchema, { message: m }));
      call.end();
    });
    assert.deepEqual([res?.message, res?.count], ["1234", 4]);
  });

  it("should run a bidi stream", async () => {
    const { serialize } = codec(EchoBidiStreamRequestSchema);
    const { deserialize } = codec<{ message: string }>(EchoBidiStreamResponseSchema);
    const call = client.makeBidiStreamRequest(path("EchoBidiStream"), serialize, deserialize);
    call.write(create(EchoBidiStreamRequestSchema, { message: "ping" }));
    call.write(create(EchoBidiStreamRequestSchema, { message: "pong" }));
    call.end();
    const received: string[] = [];
    for await (const res of call as AsyncIterable<{ message: string }>) received.push(res.message);
    assert.deepEqual(received, ["ping", "pong"]);
  });
});
