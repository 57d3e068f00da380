import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { EchoRequestSchema } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { sendH1, sendH2, startBothPaths, type RawRequest } from "./fast-path-fixture.js";
import { seededRandom } from "../testing/seeded-random.js";

const echo = "/kinetic.echo.v1.EchoService/Echo";
const contentTypes = ["application/json", "application/proto", "application/json; charset=utf-8", "APPLICATION/PROTO", "application/json;charset=UTF8", "text/plain"];
const timeouts = [undefined, undefined, "0", "5000", "-1", "1e3", "99999999999", " 10"];

/** One random request: random bytes, or a valid JSON or binary message cut short or with bytes flipped. */
function fuzzedRequest(next: () => number): RawRequest {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const valid = { message: "fuzz ✓".repeat(Math.floor(next() * 20)), failWithCode: pick([0, 0, 0, 3, 16, 17]), delayMs: pick([0, 0, 3]) };
  const jsonBytes = new TextEncoder().encode(JSON.stringify(valid));
  const protoBytes = toBinary(EchoRequestSchema, create(EchoRequestSchema, valid));
  let body: Uint8Array;
  switch (pick(["random", "truncated json", "truncated proto", "flipped json", "flipped proto", "valid json", "valid proto"])) {
    case "random":
      body = Uint8Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256));
      break;
    case "truncated json":
      body = jsonBytes.subarray(0, Math.floor(next() * jsonBytes.length));
      break;
    case "truncated proto":
      body = protoBytes.subarray(0, Math.floor(next() * protoBytes.length));
      break;
    case "flipped json":
      body = jsonBytes.slice();
      body[Math.floor(next() * body.length)] = Math.floor(next() * 256);
      break;
    case "flipped proto":
      body = protoBytes.length > 0 ? protoBytes.slice() : new Uint8Array([0]);
      body[Math.floor(next() * body.length)] = Math.floor(next() * 256);
      break;
    case "valid json":
      body = jsonBytes;
      break;
    default:
      body = protoBytes;
  }
  const headers: Record<string, string> = { "content-type": pick(contentTypes) };
  const timeout = pick(timeouts);
  if (timeout !== undefined) headers["connect-timeout-ms"] = timeout;
  if (next() < 0.2) headers["accept-encoding"] = pick(["gzip", "br", "identity", "zstd, gzip"]);
  if (next() < 0.1) headers["connect-protocol-version"] = pick(["1", "2", ""]);
  return { path: echo, headers, body };
}

describe("Connect unary fast path under fuzzed requests", () => {
  let servers: Awaited<ReturnType<typeof startBothPaths>>;
  before(async () => {
    servers = await startBothPaths({ KINETIC_MAX_MESSAGE_BYTES: "2048" });
  });
  after(() => servers.close());

  for (const seed of [1, 2, 3]) {
    it(`should answer every fuzzed request as connect-node does, without crashing or hanging (seed ${seed})`, async () => {
      const next = seededRandom(seed);
      const fastSession = http2.connect(servers.fast.url);
      const plainSession = http2.connect(servers.plain.url);
      try {
        for (let i = 0; i < 60; i++) {
          const request = fuzzedRequest(next);
          const h2 = next() < 0.5;
          // Each send is bounded (sendH1/sendH2 reject after 10 s): a hang fails the test.
          const [fast, plain] = h2
            ? await Promise.all([sendH2(fastSession, request), sendH2(plainSession, request)])
            : await Promise.all([sendH1(servers.fast.url, request), sendH1(servers.plain.url, request)]);
          assert.deepEqual(fast, plain, `seed ${seed}, request ${i} (${h2 ? "h2c" : "HTTP/1.1"}): ${JSON.stringify({ ...request, body: Buffer.from(request.body).toString("base64") })}`);
        }
      } finally {
        fastSession.close();
        plainSession.close();
      }
    });
  }

  it("should answer mismatched Content-Length and oversize bodies as connect-node does", async () => {
    const session = (url: string) => http2.connect(url);
    const fastSession = session(servers.fast.url);
    const plainSession = session(servers.plain.url);
    try {
      const big = new Uint8Array(4096).fill(0x41);
      const cases: RawRequest[] = [
        // h2 does not frame by Content-Length: a body longer or shorter than promised reaches the server.
        { path: echo, headers: { "content-type": "application/proto", "content-length": "2" }, body: new Uint8Array([0x0a, 0x01, 0x41, 0x41]) },
        { path: echo, headers: { "content-type": "application/proto", "content-length": "9" }, body: new Uint8Array([0x0a, 0x01, 0x41]) },
        { path: echo, headers: { "content-type": "application/proto", "content-length": "4096" }, body: big },
        { path: echo, headers: { "content-type": "application/proto" }, body: big },
      ];
      for (const [i, request] of cases.entries()) {
        const [fast, plain] = await Promise.all([sendH2(fastSession, request), sendH2(plainSession, request)]);
        assert.deepEqual(fast, plain, `case ${i}`);
      }
      const chunked = { path: echo, headers: { "content-type": "application/proto", "transfer-encoding": "chunked" }, body: big };
      assert.deepEqual(await sendH1(servers.fast.url, chunked), await sendH1(servers.plain.url, chunked), "an oversize chunked body over HTTP/1.1");
    } finally {
      fastSession.close();
      plainSession.close();
    }
  });

  it("should still serve after the fuzzing", async () => {
    const answer = await sendH1(servers.fast.url, { path: echo, headers: { "content-type": "application/json" }, body: new TextEncoder().encode('{"message":"alive"}') });
    assert.equal(answer.status, 200);
  });
});
