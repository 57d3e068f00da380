import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { EchoRequestSchema } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { echoFunction } from "../testing/echo-function.js";
import { startFunction } from "../testing/start-function.js";
import { waitFor } from "../testing/wait-for.js";
import { grpcFrame, sendGrpc, sendH1, sendH2, startBothPaths, type RawAnswer, type RawRequest } from "./fast-path-fixture.js";

const echo = "/kinetic.echo.v1.EchoService/Echo";
const json = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const proto = (init: Parameters<typeof create<typeof EchoRequestSchema>>[1]) => toBinary(EchoRequestSchema, create(EchoRequestSchema, init));
const jsonCall = (body: unknown, headers: Record<string, string> = {}): RawRequest => ({
  path: echo,
  headers: { "content-type": "application/json", ...headers },
  body: json(body),
});
const protoCall = (body: Uint8Array, headers: Record<string, string> = {}): RawRequest => ({
  path: echo,
  headers: { "content-type": "application/proto", ...headers },
  body,
});

/**
 * The corpus: every request goes to the runtime with its fast path and to plain connect-node,
 * over HTTP/1.1 and h2c, and must get the same status, headers (all but date and connection
 * management), body bytes and trailers (Connect unary carries them as `trailer-` headers).
 */
const corpus: Record<string, RawRequest> = {
  "a valid JSON call": jsonCall({ message: "hello" }, { "x-echo-header": "ping" }),
  "a valid binary call": protoCall(proto({ message: "hello" }), { "x-echo-header": "ping" }),
  "JSON with charset": jsonCall({ message: "charset" }, { "content-type": "application/json; charset=utf-8" }),
  "upper-case content type": jsonCall({ message: "case" }, { "content-type": "Application/JSON" }),
  "an empty JSON message": jsonCall({}),
  "an empty binary message": protoCall(new Uint8Array(0)),
  "an empty JSON body": jsonCall(""),
  "a large message": jsonCall({ message: "x".repeat(60_000) }),
  "a large binary message with gzip accepted": protoCall(proto({ message: "y".repeat(20_000) }), { "accept-encoding": "gzip" }),
  "a small message with gzip accepted": jsonCall({ message: "small" }, { "accept-encoding": "gzip, br" }),
  "a message over the size limit": protoCall(proto({ message: "z".repeat(70 * 1024) })),
  unicode: jsonCall({ message: "héllo wörld ✓ 𝄞 日本語" }),
  "unknown JSON fields": jsonCall({ message: "known", notAField: 1, other: { deep: [1, 2] } }),
  "an unknown binary field": protoCall(new Uint8Array([...proto({ message: "known" }), 0xa0, 0x06, 0x01])),
  "malformed JSON": jsonCall('{"message": "unterminated'),
  "JSON of the wrong type": jsonCall({ message: 5 }),
  "a JSON array": jsonCall("[1,2]"),
  "malformed protobuf": protoCall(new Uint8Array([0x0a, 0x10, 0x41])),
  "a protobuf wire-type error": protoCall(new Uint8Array([0x0f, 0xff, 0xff])),
  "text/plain": { path: echo, headers: { "content-type": "text/plain" }, body: json({ message: "plain" }) },
  "no content type": { path: echo, headers: {}, body: json({ message: "none" }) },
  "a streaming content type on a unary method": { path: echo, headers: { "content-type": "application/connect+json" }, body: json({}) },
  "a gzip-compressed request": { path: echo, headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: gzipSync(json({ message: "zipped" })) },
  "Connect-Protocol-Version 1": jsonCall({ message: "v1" }, { "connect-protocol-version": "1" }),
  "Connect-Protocol-Version 2": jsonCall({ message: "v2" }, { "connect-protocol-version": "2" }),
  "a Connect-Timeout-Ms the handler beats": jsonCall({ message: "in time" }, { "connect-timeout-ms": "30000" }),
  "a Connect-Timeout-Ms that expires": jsonCall({ message: "late", delayMs: 49 }, { "connect-timeout-ms": "1" }),
  "a Connect-Timeout-Ms of zero": jsonCall({ message: "zero", delayMs: 10 }, { "connect-timeout-ms": "0" }),
  "a malformed Connect-Timeout-Ms": jsonCall({ message: "bad" }, { "connect-timeout-ms": "soon" }),
  "an eleven-digit Connect-Timeout-Ms": jsonCall({ message: "bad" }, { "connect-timeout-ms": "12345678901" }),
  "a Connect-Timeout-Ms over the maximum": jsonCall({ message: "long" }, { "connect-timeout-ms": "20000" }),
  "an error code": jsonCall({ message: "not here", failWithCode: 5 }),
  "an error with details and metadata": jsonCall({ message: "details" }),
  "an error with details, binary": protoCall(proto({ message: "details" })),
  "a plain exception": jsonCall({ message: "plain error" }),
  "a validation failure": jsonCall({ message: "v", failWithCode: 99 }),
  "metadata in headers and trailers": jsonCall({ message: "metadata" }),
  "what the handler context holds": jsonCall({ message: "context" }, { "x-echo-header": "seen", "kinetic-caller": "auth", "connect-timeout-ms": "5000" }),
  "a query string": { ...jsonCall({ message: "query" }), path: `${echo}?x=1` },
  "a GET": { method: "GET", path: `${echo}?connect=v1&encoding=json&message=${encodeURIComponent('{"message":"get"}')}`, headers: {}, body: new Uint8Array(0) },
  "a PUT": { ...jsonCall({ message: "put" }), method: "PUT" },
  "an unknown method": { ...jsonCall({}), path: "/kinetic.echo.v1.EchoService/Nope" },
  "a health check": { path: "/grpc.health.v1.Health/Check", headers: { "content-type": "application/json" }, body: json({}) },
};
for (let code = 1; code <= 16; code++) corpus[`error code ${code}`] = jsonCall({ message: `code ${code}`, failWithCode: code });

function assertSame(fast: RawAnswer, plain: RawAnswer, name: string) {
  assert.deepEqual(fast, plain, `${name}: the fast path answered differently from connect-node`);
}

describe("Connect unary fast path against connect-node", () => {
  let servers: Awaited<ReturnType<typeof startBothPaths>>;
  const sessions: http2.ClientHttp2Session[] = [];
  before(async () => {
    servers = await startBothPaths({ KINETIC_MAX_MESSAGE_BYTES: String(64 * 1024), KINETIC_MAX_TIMEOUT_MS: "10000" });
  });
  after(async () => {
    for (const s of sessions) s.close();
    await servers.close();
  });

  describe("over HTTP/1.1", () => {
    for (const [name, request] of Object.entries(corpus)) {
      it(`should answer ${name} as connect-node does`, async () => {
        const [fast, plain] = await Promise.all([sendH1(servers.fast.url, request), sendH1(servers.plain.url, request)]);
        assertSame(fast, plain, name);
      });
    }
  });

  describe("over h2c", () => {
    for (const [name, request] of Object.entries(corpus)) {
      it(`should answer ${name} as connect-node does`, async () => {
        const fastSession = http2.connect(servers.fast.url);
        const plainSession = http2.connect(servers.plain.url);
        sessions.push(fastSession, plainSession);
        const [fast, plain] = await Promise.all([sendH2(fastSession, request), sendH2(plainSession, request)]);
        assertSame(fast, plain, name);
      });
    }
  });

  it("should serve eligible calls on the fast path, and only when it is on", async () => {
    const which = async (url: string, request: RawRequest) => {
      const answer = await sendH1(url, request);
      return (JSON.parse(Buffer.from(answer.body, "base64").toString()) as { message: string }).message;
    };
    assert.equal(await which(servers.fast.url, jsonCall({ message: "which path" })), "fast path");
    assert.equal(await which(servers.plain.url, jsonCall({ message: "which path" })), "connect-node");
    const compressed = { ...jsonCall(""), headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: gzipSync(json({ message: "which path" })) };
    assert.equal(await which(servers.fast.url, compressed), "connect-node");
  });

  it("should log fast-path calls as connect-node's", async () => {
    const request = jsonCall({ message: "logged", failWithCode: 7 }, { "kinetic-caller": "auth" });
    await Promise.all([sendH1(servers.fast.url, request), sendH1(servers.plain.url, request)]);
    const lineOf = (logs: Record<string, unknown>[]) => {
      const line = logs.findLast((l) => l["msg"] === "request" && l["caller"] === "auth" && l["code"] === "permission_denied");
      assert.ok(line, "no request line for the call");
      const { time: _t, duration_ms: _d, trace_id: _id, ...stable } = line;
      return stable;
    };
    assert.deepEqual(lineOf(servers.fast.logs), lineOf(servers.plain.logs));
  });
});

describe("request log of a call the client cancels", () => {
  for (const fastPath of ["on", "off"]) {
    it(`should log it as canceled, not ok (fast path ${fastPath})`, async () => {
      const server = await startFunction(echoFunction, { KINETIC_FAST_PATH: fastPath });
      const session = http2.connect(server.url);
      try {
        const stream = session.request({ ":method": "POST", ":path": echo, "content-type": "application/json" });
        stream.on("error", () => undefined);
        stream.resume();
        stream.end(JSON.stringify({ message: "cancel me", delayMs: 30_000 }));
        await waitFor(() => server.inFlight === 1, 10_000, "the call in flight");
        stream.close(http2.constants.NGHTTP2_CANCEL);
        const line = await waitFor(() => server.logs.find((l) => l["msg"] === "request" && l["procedure"] === "kinetic.echo.v1.EchoService/Echo"), 10_000, "the call's log line");
        assert.equal(line["code"], "canceled");
      } finally {
        session.close();
        await server.close();
      }
    });
  }
});

describe("a gRPC call the client resets with an error code", () => {
  const moments = {
    "while its request is read": (stream: http2.ClientHttp2Stream) => stream.write(grpcFrame(toBinary(EchoRequestSchema, create(EchoRequestSchema, { message: "cut" }))).subarray(0, 4)),
    "while its handler runs": (stream: http2.ClientHttp2Stream) => stream.end(grpcFrame(toBinary(EchoRequestSchema, create(EchoRequestSchema, { message: "reset me", delayMs: 30_000 })))),
  };
  for (const fastPath of ["on", "off"]) {
    for (const [moment, send] of Object.entries(moments)) {
      it(`should end the call and go on serving, ${moment} (fast path ${fastPath})`, { timeout: 20_000 }, async () => {
        const server = await startFunction(echoFunction, { KINETIC_FAST_PATH: fastPath });
        const session = http2.connect(server.url);
        try {
          const stream = session.request({ ":method": "POST", ":path": echo, "content-type": "application/grpc", te: "trailers" });
          stream.on("error", () => undefined);
          stream.resume();
          send(stream);
          await waitFor(() => server.inFlight === 1, 10_000, "the call in flight");
          // The server's stream is destroyed with ERR_HTTP2_STREAM_ERROR: unheard, node would throw it.
          stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
          await waitFor(() => server.inFlight === 0, 10_000, "the call ended");
          const body = grpcFrame(toBinary(EchoRequestSchema, create(EchoRequestSchema, { message: "still here" })));
          const answer = await sendGrpc(session, { path: echo, headers: { "content-type": "application/grpc", te: "trailers" }, body });
          assert.equal(answer.trailers["grpc-status"], "0");
        } finally {
          session.close();
          await server.close();
        }
      });
    }
  }
});
