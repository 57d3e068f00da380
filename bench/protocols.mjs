// The three ways the harness sends the same echo request ({"message":"hello"}), and how it
// checks an answer. Protobuf comes from the compiled contracts, so import this after the build.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { EchoRequestSchema, EchoResponseSchema } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";

export const echoMessage = "hello";

/** Prefixes a protobuf message with gRPC's 5-byte frame header (uncompressed, big-endian length). */
function grpcFrame(bytes) {
  const frame = Buffer.alloc(5 + bytes.length);
  frame.writeUInt32BE(bytes.length, 1);
  frame.set(bytes, 5);
  return frame;
}

const protoRequest = Buffer.from(toBinary(EchoRequestSchema, create(EchoRequestSchema, { message: echoMessage })));

/** Throws unless `condition`; the message says what the server answered instead. */
function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Every protocol: its label, load tool, request headers and body, and `check(answer)` which
 * throws when `{ status, headers, trailers, body }` is not a correct echo.
 */
export const protocols = {
  "http1-json": {
    label: "Connect JSON / HTTP/1.1",
    tool: "wrk",
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify({ message: echoMessage })),
    check({ status, body }) {
      expect(status === 200, `HTTP ${status}: ${body.toString("utf8", 0, 200)}`);
      expect(JSON.parse(body.toString("utf8")).message === echoMessage, `unexpected body ${body.toString("utf8", 0, 200)}`);
    },
  },
  "http1-proto": {
    label: "Connect binary / HTTP/1.1",
    tool: "wrk",
    headers: { "content-type": "application/proto" },
    body: protoRequest,
    check({ status, body }) {
      expect(status === 200, `HTTP ${status}: ${body.toString("utf8", 0, 200)}`);
      expect(fromBinary(EchoResponseSchema, body).message === echoMessage, "unexpected protobuf body");
    },
  },
  "h2c-grpc": {
    label: "gRPC / h2c",
    tool: "h2load",
    headers: { "content-type": "application/grpc", te: "trailers" },
    body: grpcFrame(protoRequest),
    check({ status, headers, trailers, body }) {
      const grpcStatus = trailers["grpc-status"] ?? headers["grpc-status"];
      expect(status === 200 && grpcStatus === "0", `HTTP ${status}, grpc-status ${grpcStatus}: ${trailers["grpc-message"] ?? ""}`);
      expect(body.length >= 5 && body.readUInt32BE(1) === body.length - 5, "malformed gRPC frame");
      expect(fromBinary(EchoResponseSchema, body.subarray(5)).message === echoMessage, "unexpected protobuf body");
    },
  },
};
