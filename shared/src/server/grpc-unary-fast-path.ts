import * as http2 from "node:http2";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { compressionNegotiate, envelopeCompress } from "@connectrpc/connect/protocol";
import {
  contentTypeProto,
  contentTypeRegExp,
  grpcStatusOk,
  headerAcceptEncoding,
  headerEncoding,
  headerGrpcStatus,
  headerTimeout,
  parseTimeout,
  setTrailerStatus,
} from "@connectrpc/connect/protocol-grpc";
import { FastHeaders, requestHeadersOf } from "./fast-headers.js";
import { nodeHeadersOf } from "./node-headers-of.js";
import { invokeUnary } from "./invoke-unary.js";
import type { StreamHandler } from "./one-port-server.js";
import { readGrpcUnaryMessage } from "./read-grpc-unary-message.js";
import { signalOfCall } from "./signal-of-call.js";
import { unaryHandlerContext } from "./unary-handler-context.js";
import type { UnaryRoute, UnaryRoutes } from "./unary-routes.js";

/**
 * Serves gRPC unary calls over HTTP/2 — `POST /<service>/<method>`, `application/grpc` or
 * `application/grpc+proto`, no `grpc-encoding` but `identity` — on the HTTP/2 stream itself,
 * without node's compatibility request and response nor connect-node's universal layers and
 * async-iterable pipeline, and returns false for every other stream so that connect-node serves
 * it (`+json`, compressed requests, gRPC-Web, streams, query strings; gRPC over HTTP/1.1 never
 * reaches it). Deadlines (`grpc-timeout`), limits, the
 * interceptor chain, the handler context, response compression (`grpc-accept-encoding`) and
 * the answer — headers, one envelope, then `grpc-status`, percent-encoded `grpc-message`,
 * `grpc-status-details-bin` and the handler's trailers, in the frames node's compatibility
 * response sends for connect-node's `writeHead`, `write`, `addTrailers` and `end` — are
 * connect's own code, called in the order
 * its gRPC handler calls them; `grpc-unary-fast-path-*.test.ts` hold the two paths to the same
 * answers. `KINETIC_FAST_PATH=off` turns it off.
 *
 * Deliberate differences, none visible on the wire: those of `createConnectUnaryFastPath`
 * (the signal made when first read, one shared `AbortError` when a call ends, `requestSignal`
 * is the call's signal, `FastHeaders`, an answer — status 13 — to a failure outside the call's
 * error handling), and a
 * request body read whole before it is parsed (bounded, see `readGrpcUnaryMessage`) instead of
 * envelope by envelope.
 *
 * @example
 * const grpcFastPath = createGrpcUnaryFastPath(createUnaryRoutes({ services, interceptors }));
 * const server = createOnePortServer({ handler: connect, streamHandler: grpcFastPath });
 */
export function createGrpcUnaryFastPath(routes: UnaryRoutes): StreamHandler {
  const { opt } = routes;

  /**
   * One call, chained by callbacks and a single promise (the interceptors'): the awaits of an
   * async function cost a promise and a microtask each.
   */
  function serveUnary(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, route: UnaryRoute, url: string): void {
    const { serialization } = route;
    const requestHeader = requestHeadersOf(headers);
    const timeout = parseTimeout(requestHeader.get(headerTimeout), opt.maxTimeoutMs);
    const call = signalOfCall(stream, timeout.timeoutMs, opt.shutdownSignal);
    const responseHeader = new FastHeaders();
    responseHeader.set("content-type", contentTypeProto);
    const responseTrailer = new FastHeaders();
    responseTrailer.set(headerGrpcStatus, grpcStatusOk);
    const context = unaryHandlerContext({ routes, route, req: stream, protocolName: "grpc", url, call, requestHeader, responseHeader, responseTrailer });
    const compression = compressionNegotiate(opt.acceptCompression, requestHeader.get(headerEncoding), requestHeader.get(headerAcceptEncoding), headerAcceptEncoding);
    if (compression.response) responseHeader.set(headerEncoding, compression.response.name);

    /** Ends the call and answers: headers, the envelope (none when the call failed), trailers. */
    const answer = (envelope: Uint8Array | undefined): void => {
      try {
        context.abort();
        if (stream.destroyed) return; // the client left: nobody to answer
        const responseHeaders: http2.OutgoingHttpHeaders = nodeHeadersOf(responseHeader);
        responseHeaders[":status"] = 200;
        const trailers = nodeHeadersOf(responseTrailer);
        // What node's compatibility response does for writeHead, write, addTrailers and end.
        stream.respond(responseHeaders, { waitForTrailers: true });
        // Emitted once per stream: `on` spares `once`'s wrapper.
        stream.on("wantTrailers", () => stream.sendTrailers(trailers));
        stream.end(envelope);
      } catch (reason) {
        failedOutside(stream, route, reason);
      }
    };
    /** As connect's transformCatchFinally: the error's status in the trailers; a thrown `undefined` leaves it ok. */
    const fail = (e: unknown): void => {
      try {
        context.abort(e);
        if (e instanceof ConnectError) setTrailerStatus(responseTrailer, e);
        else if (e !== undefined) setTrailerStatus(responseTrailer, new ConnectError("internal error", Code.Internal, undefined, undefined, e));
      } catch (reason) {
        return failedOutside(stream, route, reason); // error details that cannot be encoded, say
      }
      answer(undefined);
    };
    const encode = (output: MessageShape<DescMessage>): void => {
      let data: Uint8Array;
      try {
        data = serialization.getO(true).serialize(output);
      } catch (e) {
        return fail(e);
      }
      if (compression.response === null) return answer(envelopeOf(0, data));
      envelopeCompress({ flags: 0, data }, compression.response, opt.compressMinBytes).then(({ flags, data }) => answer(envelopeOf(flags, data)), fail);
    };
    // The order of connect's request pipeline: compression and deadline errors before the body.
    if (compression.error) return fail(compression.error);
    if (timeout.error) return fail(timeout.error);
    readGrpcUnaryMessage(stream, opt.readMaxBytes, serialization.getI(true), (input) => invokeUnary(route, context, input, opt.interceptors).then(encode, fail), fail);
  }

  return function grpcUnaryFastPath(stream, headers) {
    if (headers[":method"] !== "POST") return false;
    const path = headers[":path"];
    const route = path === undefined ? undefined : routes.get(path);
    if (route === undefined) return false;
    const contentType = headers["content-type"];
    if (contentType === undefined) return false;
    const match = contentTypeRegExp.exec(contentType);
    if (match === null || match[1] !== undefined) return false; // +json goes to connect-node
    const encoding = headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") return false;
    const authority = headers[":authority"] ?? headers.host; // as node's compatibility request
    if (!authority) return false;
    try {
      serveUnary(stream, headers, route, routes.originOf(authority) + path);
    } catch (reason) {
      failedOutside(stream, route, reason);
    }
    return true;
  };
}

/** A failure outside the call's own error handling: logged, and answered with status 13, never silence. */
function failedOutside(stream: http2.ServerHttp2Stream, route: UnaryRoute, reason: unknown): void {
  // As connect-node: an answer that cannot be written is the client's leaving, nothing to report.
  if (stream.destroyed) return;
  console.error(`handler for rpc ${route.spec.method.name} of ${route.spec.method.parent.typeName} failed`, reason);
  if (stream.headersSent) return void stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  stream.respond({ ":status": 200, "content-type": contentTypeProto, [headerGrpcStatus]: String(Code.Internal), "grpc-message": "internal%20error" }, { endStream: true });
}

/**
 * connect's `encodeEnvelope` (flags, big-endian length, data) in a buffer from Node's pool: a
 * fresh `Uint8Array` per response has a backing store of its own, which the garbage collector
 * pays for.
 */
function envelopeOf(flags: number, data: Uint8Array): Uint8Array {
  const envelope = Buffer.allocUnsafe(5 + data.byteLength);
  envelope[0] = flags;
  envelope.writeUInt32BE(data.byteLength, 1);
  envelope.set(data, 5);
  return envelope;
}
