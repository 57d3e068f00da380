import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { EchoRequestSchema, EchoResponseSchema } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { grpcFrame, sendGrpc, startBothPaths, type RawRequest } from "./fast-path-fixture.js";

const echo = "/kinetic.echo.v1.EchoService/Echo";
const proto = (init: Parameters<typeof create<typeof EchoRequestSchema>>[1]) => toBinary(EchoRequestSchema, create(EchoRequestSchema, init));
const grpcCall = (body: Uint8Array, headers: Record<string, string> = {}): RawRequest => ({
  path: echo,
  headers: { "content-type": "application/grpc", te: "trailers", ...headers },
  body,
});
const call = (init: Parameters<typeof proto>[0], headers: Record<string, string> = {}) => grpcCall(grpcFrame(proto(init)), headers);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/**
 * The corpus: every request goes over h2c to the runtime with its fast path and to plain
 * connect-node, and must get the same status, headers (all but date), body bytes (the
 * envelopes), trailers and stream end.
 */
const corpus: Record<string, RawRequest> = {
  "a valid call": call({ message: "hello" }, { "x-echo-header": "ping" }),
  "application/grpc+proto": call({ message: "proto" }, { "content-type": "application/grpc+proto" }),
  "upper-case content type": call({ message: "case" }, { "content-type": "Application/GRPC+Proto" }),
  "grpc-encoding identity": call({ message: "identity" }, { "grpc-encoding": "identity" }),
  "an empty message": grpcCall(grpcFrame(new Uint8Array(0))),
  "an empty body": grpcCall(new Uint8Array(0)),
  "a large message": call({ message: "x".repeat(60_000) }),
  "a large message with gzip accepted": call({ message: "y".repeat(20_000) }, { "grpc-accept-encoding": "identity,deflate,gzip" }),
  "a small message with gzip accepted": call({ message: "small" }, { "grpc-accept-encoding": "gzip" }),
  "an unknown grpc-accept-encoding": call({ message: "zstd" }, { "grpc-accept-encoding": "zstd" }),
  unicode: call({ message: "héllo wörld ✓ 𝄞 日本語" }),
  "an unknown field": grpcCall(grpcFrame(concat(proto({ message: "known" }), new Uint8Array([0xa0, 0x06, 0x01])))),
  "malformed protobuf": grpcCall(grpcFrame(new Uint8Array([0x0a, 0x10, 0x41]))),
  "a protobuf wire-type error": grpcCall(grpcFrame(new Uint8Array([0x0f, 0xff, 0xff]))),
  "a truncated header": grpcCall(new Uint8Array([0, 0, 0])),
  "a truncated message": grpcCall(grpcFrame(proto({ message: "cut" })).subarray(0, 6)),
  "a length promising more than sent": grpcCall(grpcFrame(proto({ message: "short" }), 0, 100)),
  "trailing bytes after the message": grpcCall(concat(grpcFrame(proto({ message: "trailing" })), new Uint8Array([0, 0]))),
  "a compressed flag without grpc-encoding": grpcCall(grpcFrame(proto({ message: "flagged" }), 1)),
  "unknown flag bits": grpcCall(grpcFrame(proto({ message: "flags" }), 0x80)),
  "two messages": grpcCall(concat(grpcFrame(proto({ message: "one" })), grpcFrame(proto({ message: "two" })))),
  "a second message that is malformed": grpcCall(concat(grpcFrame(proto({ message: "one" })), grpcFrame(new Uint8Array([0x0a, 0x10])))),
  "a second message that is oversize": grpcCall(concat(grpcFrame(proto({ message: "one" })), grpcFrame(new Uint8Array(0), 0, 1 << 20))),
  "a message over the size limit": call({ message: "z".repeat(70 * 1024) }),
  "a length over the size limit, no body": grpcCall(grpcFrame(new Uint8Array(0), 0, 70 * 1024)),
  "a gzip-compressed request": grpcCall(grpcFrame(gzipSync(proto({ message: "zipped" })), 1), { "grpc-encoding": "gzip" }),
  "an unknown grpc-encoding": grpcCall(grpcFrame(proto({ message: "zstd" }), 1), { "grpc-encoding": "zstd" }),
  "gRPC with JSON": grpcCall(grpcFrame(new TextEncoder().encode('{"message":"json"}')), { "content-type": "application/grpc+json" }),
  "gRPC-Web": call({ message: "web" }, { "content-type": "application/grpc-web+proto" }),
  "a wrong content type": call({ message: "wrong" }, { "content-type": "application/grpc+thrift" }),
  "no content type": { path: echo, headers: {}, body: grpcFrame(proto({ message: "none" })) },
  "a grpc-timeout the handler beats": call({ message: "in time" }, { "grpc-timeout": "30S" }),
  "a grpc-timeout that expires": call({ message: "late", delayMs: 49 }, { "grpc-timeout": "1m" }),
  "a grpc-timeout in nanoseconds": call({ message: "late", delayMs: 10 }, { "grpc-timeout": "5n" }),
  "a grpc-timeout of zero": call({ message: "zero", delayMs: 10 }, { "grpc-timeout": "0m" }),
  "a malformed grpc-timeout": call({ message: "bad" }, { "grpc-timeout": "soon" }),
  "a nine-digit grpc-timeout": call({ message: "bad" }, { "grpc-timeout": "123456789m" }),
  "a grpc-timeout over the maximum": call({ message: "long" }, { "grpc-timeout": "20S" }),
  "an error code": call({ message: "not here", failWithCode: 5 }),
  "an error with details and metadata": call({ message: "details" }),
  "an error message needing percent-encoding": call({ message: "100% wrong: ünï ✓ \r\n\t end", failWithCode: 3 }),
  "a plain exception": call({ message: "plain error" }),
  "a validation failure": call({ message: "v", failWithCode: 99 }),
  "metadata in headers and trailers": call({ message: "metadata" }),
  "binary and repeated request metadata": call({ message: "bin" }, { "x-echo-header": "seen", "x-thing-bin": "AAEC" }),
  "what the handler context holds": call({ message: "context" }, { "x-echo-header": "seen", "kinetic-caller": "auth", "grpc-timeout": "5S" }),
  "a query string": { ...call({ message: "query" }), path: `${echo}?x=1` },
  "a GET": { ...call({ message: "get" }), method: "GET" },
  "a PUT": { ...call({ message: "put" }), method: "PUT" },
  "an unknown method": { ...call({}), path: "/kinetic.echo.v1.EchoService/Nope" },
  "a server-streaming method": { ...call({ message: "s" }), path: "/kinetic.echo.v1.EchoService/EchoServerStream" },
  "a health check": grpcCall(grpcFrame(new Uint8Array(0)), {}),
};
corpus["a health check"] = { ...corpus["a health check"]!, path: "/grpc.health.v1.Health/Check" };
for (let code = 1; code <= 16; code++) corpus[`error code ${code}`] = call({ message: `code ${code}`, failWithCode: code });

describe("gRPC unary fast path against connect-node", () => {
  let servers: Awaited<ReturnType<typeof startBothPaths>>;
  let fastSession: http2.ClientHttp2Session;
  let plainSession: http2.ClientHttp2Session;
  before(async () => {
    servers = await startBothPaths({ KINETIC_MAX_MESSAGE_BYTES: String(64 * 1024), KINETIC_MAX_TIMEOUT_MS: "10000" });
    fastSession = http2.connect(servers.fast.url);
    plainSession = http2.connect(servers.plain.url);
  });
  after(async () => {
    fastSession.close();
    plainSession.close();
    await servers.close();
  });

  for (const [name, request] of Object.entries(corpus)) {
    it(`should answer ${name} as connect-node does`, async () => {
      const [fast, plain] = await Promise.all([sendGrpc(fastSession, request), sendGrpc(plainSession, request)]);
      assert.deepEqual(fast, plain, `${name}: the fast path answered differently from connect-node`);
    });
  }

  it("should serve eligible calls on the fast path, and only when it is on", async () => {
    const which = async (url: string, request: RawRequest) => {
      const session = http2.connect(url);
      try {
        const answer = await sendGrpc(session, request);
        assert.equal(answer.status, 200);
        // The first envelope: the response message (gRPC-Web follows it with its trailers).
        const body = Buffer.from(answer.body, "base64");
        return fromBinary(EchoResponseSchema, body.subarray(5, 5 + body.readUInt32BE(1))).message;
      } finally {
        session.close();
      }
    };
    assert.equal(await which(servers.fast.url, call({ message: "which path" })), "fast path");
    assert.equal(await which(servers.plain.url, call({ message: "which path" })), "connect-node");
    assert.equal(await which(servers.fast.url, grpcCall(grpcFrame(gzipSync(proto({ message: "which path" })), 1), { "grpc-encoding": "gzip" })), "connect-node");
    assert.equal(await which(servers.fast.url, call({ message: "which path" }, { "content-type": "application/grpc-web+proto" })), "connect-node");
  });

  it("should log fast-path gRPC calls as connect-node's", async () => {
    const request = call({ message: "logged", failWithCode: 7 }, { "kinetic-caller": "audit" });
    await Promise.all([sendGrpc(fastSession, request), sendGrpc(plainSession, request)]);
    const lineOf = (logs: Record<string, unknown>[]) => {
      const line = logs.findLast((l) => l["msg"] === "request" && l["caller"] === "audit" && l["code"] === "permission_denied");
      assert.ok(line, "no request line for the call");
      const { time: _t, duration_ms: _d, trace_id: _id, ...stable } = line;
      return stable;
    };
    assert.deepEqual(lineOf(servers.fast.logs), lineOf(servers.plain.logs));
  });
});
