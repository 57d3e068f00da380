import type * as http from "node:http";
import type * as http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Reads a whole request body with the limits and errors of connect's `readAllBytes`: a
 * `Content-Length` above `readMaxBytes` is `resource_exhausted` before anything is read, a body
 * longer or shorter than its `Content-Length` is `invalid_argument` ("protocol error: promised
 * …"), a body without length is counted against `readMaxBytes` as it arrives. The rest of a
 * body refused mid-way is left to node, which discards it once the answer is written.
 * Event listeners instead of an async iterator: the same bytes for a fraction of the promises.
 * A body that came in one chunk is that chunk, not a copy: a fresh `Uint8Array` per request has
 * its own backing store outside Node's buffer pool, and those made the garbage collector a
 * fifth of a small call's time.
 */
export function readRequestBody(
  req: http.IncomingMessage | http2.Http2ServerRequest,
  readMaxBytes: number,
  lengthHint: string | undefined,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parsed = lengthHint === undefined ? Number.NaN : parseInt(lengthHint, 10);
    const known = Number.isSafeInteger(parsed) && parsed >= 0;
    if (known && parsed > readMaxBytes) {
      return reject(new ConnectError(`message size ${parsed} is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted));
    }
    const chunks: Buffer[] = [];
    let count = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const fail = (err: unknown) => {
      cleanup();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      count += chunk.byteLength;
      if (known && count > parsed) return fail(new ConnectError(`protocol error: promised ${parsed} bytes, received ${count}`, Code.InvalidArgument));
      if (!known && count > readMaxBytes) return fail(new ConnectError(`message size is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted));
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (known && count < parsed) return reject(new ConnectError(`protocol error: promised ${parsed} bytes, received ${count}`, Code.InvalidArgument));
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, count));
    };
    const onError = (err: unknown) => fail(err);
    // A request closed before its end (the client went away) fails as node's async iterator fails it.
    const onClose = () => fail(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
