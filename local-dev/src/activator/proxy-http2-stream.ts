import * as http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import type { FunctionPool, Lease } from "./create-function-pool.js";
import { connectEndStream, errorResponse, type ErrorResponse } from "./error-response.js";
import { instanceLossMessage } from "./instance-loss-message.js";
import { requestHeadersForInstance, responseHeadersForClient } from "./proxy-headers.js";
import { createReplayableBody, type ReplayableBody } from "./replayable-body.js";
import { requestProtocol, type RequestProtocol } from "./request-protocol.js";
import { timeoutFromHeaders } from "./timeout-from-headers.js";

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } = http2.constants;

/** Answers a stream the activator could not hand on (trailers-only for gRPC). */
export function respondHttp2(stream: http2.ServerHttp2Stream, response: ErrorResponse): void {
  if (stream.headersSent || stream.destroyed || stream.closed) return;
  stream.resume(); // whatever the client still sends is not wanted
  const headers = { ":status": response.status, ...response.headers };
  if (response.body === undefined) stream.respond(headers, { endStream: true });
  else {
    stream.respond(headers);
    stream.end(response.body);
  }
}

/** An instance of `pool` and an open HTTP/2 connection to it; an instance that refuses connections is retired and another one tried. */
async function connectedLease(pool: FunctionPool, signal: AbortSignal, timeoutMs: number | undefined): Promise<{ lease: Lease; session: http2.ClientHttp2Session }> {
  for (let attempt = 1; ; attempt++) {
    const lease = await pool.acquire(signal, timeoutMs);
    try {
      return { lease, session: await lease.instance.session() };
    } catch (err) {
      pool.retire(lease.instance);
      lease.release();
      if (attempt === 3) throw new ConnectError(`instances of ${pool.fn.name} refuse connections: ${(err as Error).message}`, Code.Unavailable);
    }
  }
}

interface Exchange {
  readonly stream: http2.ServerHttp2Stream;
  readonly pool: FunctionPool;
  readonly protocol: RequestProtocol;
  readonly contentType: string | undefined;
  readonly body: ReplayableBody | undefined;
  readonly clientGone: AbortSignal;
}

/**
 * One attempt on one instance. Resolves "retry" when the instance provably never processed the
 * stream (it was draining: the stream came after its GOAWAY) and the body can be sent again.
 */
function relay({ stream, pool, protocol, contentType, body, clientGone }: Exchange, lease: Lease, session: http2.ClientHttp2Session, upstream: http2.ClientHttp2Stream): Promise<"done" | "retry"> {
  return new Promise((resolve) => {
    let trailers: http2.OutgoingHttpHeaders = {};
    let responded = false;
    let complete = false;
    body?.attach(upstream);
    upstream.on("error", () => {}); // reported through "close"
    upstream.once("response", (responseHeaders, responseFlags) => {
      responded = true;
      body?.settle();
      lease.answered();
      if (stream.destroyed || stream.closed) return;
      const out = { ...responseHeadersForClient(responseHeaders), ":status": responseHeaders[":status"] ?? 502 };
      if ((responseFlags & NGHTTP2_FLAG_END_STREAM) !== 0) {
        complete = true; // trailers-only
        stream.respond(out, { endStream: true });
        upstream.resume();
        return;
      }
      stream.on("wantTrailers", () => stream.sendTrailers(trailers));
      stream.respond(out, { waitForTrailers: true });
      upstream.pipe(stream, { end: false });
      // Node ends a stream whose connection broke as if it had finished: only a clean end ends the client's.
      upstream.once("end", () => {
        if (session.destroyed || (upstream.rstCode ?? NGHTTP2_NO_ERROR) !== NGHTTP2_NO_ERROR) return;
        complete = true;
        stream.end();
      });
    });
    upstream.on("trailers", (received) => (trailers = responseHeadersForClient(received)));
    const cancel = () => {
      if (!upstream.closed) upstream.close(NGHTTP2_CANCEL);
    };
    stream.once("close", cancel);

    upstream.once("close", () => {
      stream.off("close", cancel);
      body?.detach();
      if (complete || clientGone.aborted) {
        lease.release();
        return resolve("done");
      }
      // Before the lease goes back: nothing queued may follow into an instance that may be dead.
      if (session.destroyed) pool.lost(lease.instance);
      if (!responded && (body?.replayable ?? true) && lease.instance.neverProcessed(session, upstream)) {
        lease.release();
        return resolve("retry");
      }
      lease.release();
      resolve("done");
      if (!session.destroyed && upstream.rstCode !== undefined && upstream.rstCode !== NGHTTP2_NO_ERROR) {
        if (!stream.destroyed) stream.close(upstream.rstCode); // the instance reset this stream: so does the activator
        return;
      }
      void instanceLossMessage(pool.fn.name, lease.instance, `stream closed with code ${upstream.rstCode ?? "none"}`).then((message) => {
        pool.recordFailure(message);
        if (stream.destroyed || stream.closed) return;
        upstream.unpipe(stream);
        if (!stream.headersSent) return respondHttp2(stream, errorResponse(protocol, Code.Unavailable, message, { contentType, httpStatus: 502 }));
        if (protocol === "grpc" || protocol === "grpc-web") {
          trailers = { "grpc-status": String(Code.Unavailable), "grpc-message": encodeURIComponent(message) };
          stream.end();
        } else if (protocol === "connect-stream") {
          stream.end(connectEndStream(Code.Unavailable, message));
        } else {
          stream.close(NGHTTP2_INTERNAL_ERROR);
        }
      });
    });
  });
}

/**
 * Proxies one HTTP/2 stream to an instance, on that instance's one HTTP/2 connection: headers,
 * body, trailers and resets pass through as they come, with back-pressure. A client that
 * resets cancels the stream to the instance. A stream an instance never processed (it began
 * draining as the stream was opened) goes to another instance. An instance that dies under the
 * stream fails it with `unavailable` in the request's protocol (grpc-status 14 in trailers
 * when headers were already sent); an instance that resets the stream has its code passed on.
 */
export async function proxyHttp2Stream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, pool: FunctionPool): Promise<void> {
  const contentType = headers["content-type"];
  const protocol = requestProtocol(contentType, headers[":method"] ?? "GET", headers[":path"] ?? "/");
  const clientGone = new AbortController();
  stream.once("close", () => clientGone.abort());
  const endStream = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
  const exchange: Exchange = { stream, pool, protocol, contentType, body: endStream ? undefined : createReplayableBody(stream), clientGone: clientGone.signal };
  const outgoing = requestHeadersForInstance(headers, stream.session?.socket?.remoteAddress, true);
  const timeoutMs = timeoutFromHeaders(headers);
  for (let attempt = 1; attempt <= 3; attempt++) {
    let connected: { lease: Lease; session: http2.ClientHttp2Session };
    try {
      connected = await connectedLease(pool, clientGone.signal, timeoutMs);
    } catch (err) {
      const e = ConnectError.from(err);
      return respondHttp2(stream, errorResponse(protocol, e.code, e.rawMessage, { contentType }));
    }
    const { lease, session } = connected;
    if (clientGone.signal.aborted) return lease.release(); // it left while an instance was found
    let upstream: http2.ClientHttp2Stream;
    try {
      upstream = session.request(outgoing, { endStream });
    } catch {
      lease.release(); // the connection got a GOAWAY since it was handed out: nothing was sent
      continue;
    }
    if ((await relay(exchange, lease, session, upstream)) === "done") return;
  }
  respondHttp2(stream, errorResponse(protocol, Code.Unavailable, `instances of ${pool.fn.name} kept refusing the request (draining)`, { contentType }));
}
