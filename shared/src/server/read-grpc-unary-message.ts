import type * as http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  createAsyncIterable,
  pipe,
  transformDecompressEnvelope,
  transformParseEnvelope,
  transformSplitEnvelope,
  type Serialization,
} from "@connectrpc/connect/protocol";

/**
 * Reads the one message of a gRPC unary request (an uncompressed stream, no `grpc-encoding`)
 * and parses it, with the errors connect's gRPC handler gives: the usual request — one whole
 * envelope with flags 0 and a length within `readMaxBytes` — is parsed at once; every other
 * body (no message, a second message, a compressed flag, a cut envelope, an oversize length)
 * goes through connect's own envelope pipeline (`transformSplitEnvelope`,
 * `transformDecompressEnvelope`, `transformParseEnvelope`) and its unary `ensureSingle` checks,
 * so that the error is the one connect raises, in the order it raises them.
 *
 * Buffering is bounded: the body is handed to that pipeline as soon as the first envelope
 * announces more than `readMaxBytes`, or once the body holds more than two envelopes of the
 * largest size allowed (connect fails on such a body before its end, so these bytes suffice).
 */
export function readGrpcUnaryMessage<I>(req: http2.Http2ServerRequest | http2.ServerHttp2Stream, readMaxBytes: number, parser: Serialization<I>): Promise<I> {
  return new Promise<Uint8Array[]>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const bound = 2 * (readMaxBytes + 5);
    let count = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const settle = () => {
      cleanup();
      resolve(chunks);
    };
    const onData = (chunk: Buffer) => {
      const before = count;
      chunks.push(chunk);
      count += chunk.byteLength;
      if (count > bound) return settle();
      // The first envelope's length is known once 5 bytes are in: an oversize one fails at once.
      if (before < 5 && count >= 5 && firstLength(chunks) > readMaxBytes) return settle();
    };
    const onEnd = () => settle();
    const onError = (err: unknown) => {
      cleanup();
      reject(err);
    };
    // A request closed before its end (the client went away) fails as node's async iterator fails it.
    const onClose = () => onError(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  }).then((chunks) => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (body.byteLength >= 5 && body[0] === 0) {
      const length = new DataView(body.buffer, body.byteOffset, 5).getUint32(1);
      if (length <= readMaxBytes && body.byteLength === 5 + length) return parser.parse(body.subarray(5));
    }
    return parseLikeConnect(body, readMaxBytes, parser);
  });
}

/** The big-endian length in bytes 1–4 of chunks holding at least 5 bytes. */
function firstLength(chunks: Buffer[]): number {
  const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  return head.readUInt32BE(1);
}

/** connect's gRPC request pipeline and unary `ensureSingle`, over bytes already read. */
async function parseLikeConnect<I>(body: Uint8Array, readMaxBytes: number, parser: Serialization<I>): Promise<I> {
  const messages = pipe(
    createAsyncIterable([body]),
    transformSplitEnvelope(readMaxBytes),
    transformDecompressEnvelope(null, readMaxBytes),
    transformParseEnvelope(parser),
  )[Symbol.asyncIterator]();
  const first = await messages.next();
  if (first.done === true) throw new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented);
  const second = await messages.next();
  if (second.done !== true) throw new ConnectError("protocol error: received extra input message for unary method", Code.Unimplemented);
  return first.value;
}
