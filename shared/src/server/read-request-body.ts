import type * as http from "node:http";
import type * as http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Reads a whole request body with the limits and errors of connect's `readAllBytes`: a
 * `Content-Length` above `readMaxBytes` is `resource_exhausted` before anything is read, a body
 * longer or shorter than its `Content-Length` is `invalid_argument` ("protocol error: promised
 * …"), a body without length is counted against `readMaxBytes` as it arrives. The rest of a
 * body refused mid-way is left to node, which discards it once the answer is written.
 * Event listeners instead of an async iterator: the same bytes for a fraction of the promises;
 * and once the body is read or refused, the listeners do nothing rather than being removed (four
 * removals per request cost more). Exactly one of `onBody` and `onError` is called, once, from a
 * listener of `req`: neither may throw.
 * A body that came in one chunk is that chunk, not a copy: a fresh `Uint8Array` per request has
 * its own backing store outside Node's buffer pool, and those made the garbage collector a
 * fifth of a small call's time.
 *
 * @example
 * readRequestBody(req, opt.readMaxBytes, req.headers["content-length"], parse, fail);
 */
export function readRequestBody(
  req: http.IncomingMessage | http2.Http2ServerRequest,
  readMaxBytes: number,
  lengthHint: string | undefined,
  onBody: (body: Uint8Array) => void,
  onError: (reason: unknown) => void,
): void {
  const parsed = lengthHint === undefined ? Number.NaN : parseInt(lengthHint, 10);
  const known = Number.isSafeInteger(parsed) && parsed >= 0;
  if (known && parsed > readMaxBytes) {
    return onError(new ConnectError(`message size ${parsed} is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted));
  }
  const chunks: Buffer[] = [];
  let count = 0;
  let done = false;
  const fail = (err: unknown) => {
    done = true;
    onError(err);
  };
  req.on("data", (chunk: Buffer) => {
    if (done) return;
    count += chunk.byteLength;
    if (known && count > parsed) return fail(new ConnectError(`protocol error: promised ${parsed} bytes, received ${count}`, Code.InvalidArgument));
    if (!known && count > readMaxBytes) return fail(new ConnectError(`message size is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted));
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (done) return;
    if (known && count < parsed) return fail(new ConnectError(`protocol error: promised ${parsed} bytes, received ${count}`, Code.InvalidArgument));
    done = true;
    onBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, count));
  });
  req.on("error", (err: unknown) => {
    if (!done) fail(err);
  });
  // A request closed before its end (the client went away) fails as node's async iterator fails it.
  req.on("close", () => {
    if (!done) fail(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
  });
}
