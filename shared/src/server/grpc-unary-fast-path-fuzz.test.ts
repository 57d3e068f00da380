import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { EchoRequestSchema } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { grpcFrame, sendGrpc, startBothPaths, type RawRequest } from "./fast-path-fixture.js";
import { seededRandom } from "../testing/seeded-random.js";

const echo = "/kinetic.echo.v1.EchoService/Echo";
const contentTypes = ["application/grpc", "application/grpc", "application/grpc+proto", "APPLICATION/GRPC", "application/grpc+json", "application/grpc-web"];
const timeouts = [undefined, undefined, "0m", "5S", "-1m", "1x", "123456789m", "3u", "2H"];

/** One random request: random bytes, or valid envelopes cut short, with bytes flipped, or repeated. */
function fuzzedRequest(next: () => number): RawRequest {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const valid = { message: "fuzz ✓".repeat(Math.floor(next() * 20)), failWithCode: pick([0, 0, 0, 3, 16, 17]), delayMs: pick([0, 0, 3]) };
  const message = toBinary(EchoRequestSchema, create(EchoRequestSchema, valid));
  const frame = grpcFrame(message);
  let body: Uint8Array;
  switch (pick(["random", "truncated", "flipped", "flags", "length", "repeated", "valid", "valid"])) {
    case "random":
      body = Uint8Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256));
      break;
    case "truncated":
      body = frame.subarray(0, Math.floor(next() * frame.length));
      break;
    case "flipped":
      body = frame.slice();
      body[Math.floor(next() * body.length)] = Math.floor(next() * 256);
      break;
    case "flags":
      body = grpcFrame(message, Math.floor(next() * 256));
      break;
    case "length":
      body = grpcFrame(message, 0, pick([0, message.length - 1, message.length + 1, 2049, 0xffffffff, Math.floor(next() * 4096)]));
      break;
    case "repeated":
      body = new Uint8Array(Buffer.concat(Array.from({ length: 1 + Math.floor(next() * 3) }, () => frame)));
      break;
    default:
      body = frame;
  }
  const headers: Record<string, string> = { "content-type": pick(contentTypes), te: "trailers" };
  const timeout = pick(timeouts);
  if (timeout !== undefined) headers["grpc-timeout"] = timeout;
  if (next() < 0.2) headers["grpc-accept-encoding"] = pick(["gzip", "br", "identity", "zstd, gzip", ""]);
  if (next() < 0.1) headers["grpc-encoding"] = pick(["identity", "gzip", "zstd"]);
  return { path: echo, headers, body };
}

/** The status, headers and trailers of a call, taken when the trailers come; the stream is then canceled. */
function answerOf(session: http2.ClientHttp2Session, request: RawRequest, timeoutMs = 10_000) {
  return new Promise<{ status: number; headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders }>((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": request.path, ...request.headers });
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    let headers: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => (headers = h));
    stream.on("error", () => undefined);
    stream.resume();
    stream.on("trailers", (trailers) => {
      clearTimeout(timer);
      stream.close(http2.constants.NGHTTP2_CANCEL);
      const { date: _date, ...stable } = headers;
      resolve({ status: Number(headers[":status"]), headers: stable, trailers });
    });
    stream.end(request.body);
  });
}

describe("gRPC unary fast path under fuzzed requests", () => {
  let servers: Awaited<ReturnType<typeof startBothPaths>>;
  before(async () => {
    servers = await startBothPaths({ KINETIC_MAX_MESSAGE_BYTES: "2048" });
  });
  after(() => servers.close());

  for (const seed of [11, 12, 13]) {
    it(`should answer every fuzzed request as connect-node does, without crashing or hanging (seed ${seed})`, async () => {
      const next = seededRandom(seed);
      const fastSession = http2.connect(servers.fast.url);
      const plainSession = http2.connect(servers.plain.url);
      try {
        for (let i = 0; i < 80; i++) {
          const request = fuzzedRequest(next);
          // Each send is bounded (sendGrpc rejects after 10 s): a hang fails the test.
          const [fast, plain] = await Promise.all([sendGrpc(fastSession, request), sendGrpc(plainSession, request)]);
          assert.deepEqual(fast, plain, `seed ${seed}, request ${i}: ${JSON.stringify({ ...request, body: Buffer.from(request.body).toString("base64") })}`);
        }
      } finally {
        fastSession.close();
        plainSession.close();
      }
    });
  }

  it("should answer bodies far over the limit, in many chunks, as connect-node does", async () => {
    const fastSession = http2.connect(servers.fast.url);
    const plainSession = http2.connect(servers.plain.url);
    try {
      // Many small envelopes: connect fails on the second, long before the end.
      const small = grpcFrame(new Uint8Array(1000).fill(0x41));
      const many: RawRequest = { path: echo, headers: { "content-type": "application/grpc" }, body: new Uint8Array(Buffer.concat(Array.from({ length: 64 }, () => small))) };
      const [fast, plain] = await Promise.all([sendGrpc(fastSession, many), sendGrpc(plainSession, many)]);
      assert.deepEqual(fast, plain, "many envelopes");
      // One envelope announcing more than the limit, and sending it. connect-node stops reading,
      // so the upload stalls on flow control and only the answer can be compared (the fast path
      // discards the rest, and the upload completes).
      const oversize: RawRequest = { path: echo, headers: { "content-type": "application/grpc" }, body: grpcFrame(new Uint8Array(100_000)) };
      const [fastAnswer, plainAnswer] = await Promise.all([answerOf(fastSession, oversize), answerOf(plainSession, oversize)]);
      assert.deepEqual(fastAnswer, plainAnswer, "one oversize envelope");
      assert.equal(fastAnswer.trailers["grpc-status"], "8");
    } finally {
      fastSession.close();
      plainSession.close();
    }
  });

  it("should still serve after the fuzzing", async () => {
    const session = http2.connect(servers.fast.url);
    try {
      const body = grpcFrame(toBinary(EchoRequestSchema, create(EchoRequestSchema, { message: "alive" })));
      const answer = await sendGrpc(session, { path: echo, headers: { "content-type": "application/grpc" }, body });
      assert.equal(answer.trailers["grpc-status"], "0");
    } finally {
      session.close();
    }
  });
});
