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
 *
 * Exactly one of `onMessage` and `onError` is called, once; the usual request's `onMessage` runs
 * in the stream's "end" listener, so it must not throw. A stream closed before its end (the
 * client went away) fails with its error, else as node's async iterator fails it. The stream's
 * "error" is not listened to here: whoever took the stream must (see `createOnePortServer`), and
 * its "close" follows.
 *
 * @example
 * readGrpcUnaryMessage(stream, opt.readMaxBytes, serialization.getI(true), invoke, fail);
 */
export function readGrpcUnaryMessage<I>(
  stream: http2.ServerHttp2Stream,
  readMaxBytes: number,
  parser: Serialization<I>,
  onMessage: (message: I) => void,
  onError: (reason: unknown) => void,
): void {
  const chunks: Buffer[] = [];
  const bound = 2 * (readMaxBytes + 5);
  let count = 0;
  // Set once the body is read or the read failed; the listeners then do nothing (cheaper than
  // removing four listeners from every stream).
  let done = false;
  const settle = () => {
    done = true;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (body.byteLength >= 5 && body[0] === 0) {
      const length = body.readUInt32BE(1);
      if (length <= readMaxBytes && body.byteLength === 5 + length) {
        let message: I;
        try {
          message = parser.parse(body.subarray(5));
        } catch (e) {
          return onError(e);
        }
        return onMessage(message);
      }
    }
    parseLikeConnect(body, readMaxBytes, parser).then(onMessage, onError);
  };
  stream.on("data", function onData(chunk: Buffer) {
    if (done) return;
    const before = count;
    chunks.push(chunk);
    count += chunk.byteLength;
    // The first envelope's length is known once 5 bytes are in: an oversize one fails at once.
    if (count > bound || (before < 5 && count >= 5 && firstLength(chunks) > readMaxBytes)) {
      stream.off("data", onData); // the rest of an oversize body is not kept
      settle();
    }
  });
  stream.on("end", () => {
    if (!done) settle();
  });
  stream.on("close", () => {
    if (done) return;
    done = true;
    onError(stream.errored ?? Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
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
