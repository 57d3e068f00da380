import type * as http from "node:http";
import type * as http2 from "node:http2";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { compressionNegotiate } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  contentTypeUnaryJson,
  contentTypeUnaryProto,
  contentTypeUnaryRegExp,
  errorToJsonBytes,
  parseTimeout,
} from "@connectrpc/connect/protocol-connect";
import { FastHeaders, requestHeadersOf } from "./fast-headers.js";
import { nodeHeadersOf } from "./node-headers-of.js";
import { createJsonResponseSerializer } from "./json-response-serializer.js";
import { invokeUnary } from "./invoke-unary.js";
import { readRequestBody } from "./read-request-body.js";
import { signalOfCall, transportOf } from "./signal-of-call.js";
import { unaryHandlerContext } from "./unary-handler-context.js";
import type { UnaryRoute, UnaryRoutes } from "./unary-routes.js";

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

/** Takes a request and answers it (true), or leaves it untouched for connect-node (false). */
export type ConnectUnaryFastPath = (req: NodeRequest, res: NodeResponse) => boolean;

/**
 * Serves Connect unary calls — `POST /<service>/<method>`, `application/json` or
 * `application/proto`, no request compression, HTTP/1.1 or h2 — without connect-node's
 * universal request and response layers, and returns false for every other request so that
 * connect-node serves it. Decoding, limits, deadlines, the interceptor chain, the handler
 * context and the answers (status, headers, `trailer-` headers, JSON error bodies, response
 * compression) are connect's own code (`@connectrpc/connect/protocol`), called in the order its
 * Connect unary handler calls them; the differential and fuzz tests (`fast-path-*.test.ts`) hold
 * the two paths to the same answers. `KINETIC_FAST_PATH=off` turns it off.
 *
 * Deliberate differences, none visible on the wire:
 * - the call's signal is made when first read (`signalOfCall`), and a call that simply ends
 *   aborts it with one shared `AbortError` instead of a new DOMException each time (an
 *   AbortController per call, and the error's stack, were a fifth of a small call);
 * - the context's internal `requestSignal` field (not part of `HandlerContext`) is the call's
 *   signal itself, not a second one for the connection;
 * - request and response headers are `FastHeaders` (`requestHeadersOf` reads Node's object in
 *   place), which behave as the global `Headers`; response headers reach the wire in the order
 *   they were set rather than sorted;
 * - a failure outside the call's own error handling (a throwing `contextValues`) is answered
 *   `internal` instead of leaving the request without an answer;
 * - any `Content-Encoding`, `identity` included, goes to connect-node, as does everything that
 *   is not a Connect unary POST on an exact method path (query strings, GET, streams, gRPC,
 *   gRPC-Web);
 * - an HTTP/1.1 request that fails while its handler runs gets the `aborted`/`internal` code
 *   connect-node gives it, from the same error codes, by a shorter walk of the error's causes.
 *
 * @example
 * const fastPath = createConnectUnaryFastPath(createUnaryRoutes({ services, interceptors }));
 * const handler = (req, res) => fastPath(req, res) || connect(req, res);
 */
export function createConnectUnaryFastPath(routes: UnaryRoutes): ConnectUnaryFastPath {
  const { opt } = routes;
  const json = createJsonResponseSerializer(opt);

  /**
   * One call, chained by callbacks and a single promise (the interceptors'): the awaits of an
   * async function cost a promise and a microtask each.
   */
  function serveUnary(req: NodeRequest, res: NodeResponse, route: UnaryRoute, binary: boolean, url: string): void {
    const { serialization } = route;
    const nodeHeaders = req.headers;
    const requestHeader = requestHeadersOf(nodeHeaders);
    const timeout = parseTimeout(requestHeader.get("connect-timeout-ms"), opt.maxTimeoutMs);
    const call = signalOfCall(transportOf(req, res), timeout.timeoutMs, opt.shutdownSignal);
    const responseHeader = new FastHeaders();
    responseHeader.set("content-type", binary ? contentTypeUnaryProto : contentTypeUnaryJson);
    const responseTrailer = new FastHeaders();
    const context = unaryHandlerContext({ routes, route, req, protocolName: "connect", url, call, requestHeader, responseHeader, responseTrailer });
    const compression = compressionNegotiate(opt.acceptCompression, null, requestHeader.get("accept-encoding"), "Accept-Encoding");

    /** Writes the answer: compressed when asked and large enough, trailers as `trailer-` headers. */
    const answer = (status: number, body: Uint8Array | string): void => {
      try {
        const length = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
        if (compression.response && length >= opt.compressMinBytes) {
          responseHeader.set("content-encoding", compression.response.name);
          compression.response.compress(typeof body === "string" ? Buffer.from(body) : body).then(
            (compressed) => write(status, compressed, compressed.byteLength),
            (reason: unknown) => failedOutside(res, route, reason),
          );
          return;
        }
        write(status, body, length);
      } catch (reason) {
        failedOutside(res, route, reason);
      }
    };
    /** Writes headers and body; it catches what it throws, being called from a promise's callback too. */
    const write = (status: number, body: Uint8Array | string, length: number): void => {
      try {
        // What connect's trailerMux makes of them: each trailer appended in turn as a `trailer-`
        // header, so that several set-cookie trailers become one line joined by ", ".
        const header = nodeHeadersOf(responseHeader);
        responseTrailer.forEach((value, key) => {
          const name = trailerHeaderName(key);
          const before = header[name];
          header[name] = before === undefined ? value : `${String(before)}, ${value}`;
        });
        header["content-length"] = length.toString(10);
        if ("stream" in res ? res.stream.destroyed : res.destroyed) return; // the client left: nobody to answer
        res.writeHead(status, header);
        res.end(body);
      } catch (reason) {
        failedOutside(res, route, reason);
      }
    };
    /** Ends the call: its output serialised, or its error as Connect's JSON error body. */
    const succeed = (output: MessageShape<DescMessage>): void => {
      let body: Uint8Array | string;
      try {
        body = binary ? serialization.getO(true).serialize(output) : json.serialize(route, output);
      } catch (e) {
        return fail(e);
      }
      context.abort();
      answer(200, body);
    };
    const fail = (e: unknown): void => {
      let body: Uint8Array;
      let status: number;
      try {
        context.abort(e);
        const error = e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
        status = codeToHttpStatus(error.code);
        responseHeader.set("content-type", contentTypeUnaryJson);
        error.metadata.forEach((value, key) => responseHeader.set(key, value));
        body = errorToJsonBytes(error, opt.jsonOptions);
      } catch (reason) {
        return failedOutside(res, route, reason);
      }
      answer(status, body);
    };
    if (compression.error) return fail(compression.error);
    if (timeout.error) return fail(timeout.error);
    readRequestBody(
      req,
      opt.readMaxBytes,
      nodeHeaders["content-length"],
      (bytes) => {
        let input: MessageShape<DescMessage>;
        try {
          input = serialization.getI(binary).parse(bytes);
        } catch (e) {
          return fail(e);
        }
        invokeUnary(route, context, input, opt.interceptors).then(succeed, fail);
      },
      fail,
    );
  }

  return function connectUnaryFastPath(req, res) {
    if (req.method !== "POST") return false;
    const route = routes.get(req.url ?? "");
    if (route === undefined) return false;
    const headers = req.headers;
    const contentType = headers["content-type"];
    if (contentType === undefined || !contentTypeUnaryRegExp.test(contentType)) return false;
    if (headers["content-encoding"] !== undefined) return false;
    const authority = "authority" in req ? req.authority : headers.host;
    if (!authority) return false;
    const binary = !/json/i.test(contentType);
    try {
      serveUnary(req, res, route, binary, routes.originOf(authority) + req.url);
    } catch (reason) {
      failedOutside(res, route, reason);
    }
    return true;
  };
}

/** A failure outside the call's own error handling: logged, and answered with internal, never silence. */
function failedOutside(res: NodeResponse, route: UnaryRoute, reason: unknown): void {
  // As connect-node: an answer that cannot be written is the client's leaving, nothing to report.
  if ("stream" in res ? res.stream.destroyed : res.destroyed) return;
  console.error(`handler for rpc ${route.spec.method.name} of ${route.spec.method.parent.typeName} failed`, reason);
  if (res.headersSent) return void res.destroy();
  res.writeHead(500, { "content-type": contentTypeUnaryJson });
  res.end(JSON.stringify({ code: "internal", message: "internal error" }));
}

/** `trailer-<name>` for each trailer name seen, made once: a new string as a property name costs V8 a runtime lookup per call. */
const trailerHeaderNames = new Map<string, string>();

/** Internal: `trailer-${name}`, from `trailerHeaderNames` while it holds fewer than 256 names. */
function trailerHeaderName(name: string): string {
  let prefixed = trailerHeaderNames.get(name);
  if (prefixed === undefined) {
    prefixed = `trailer-${name}`;
    if (trailerHeaderNames.size < 256) trailerHeaderNames.set(name, prefixed);
  }
  return prefixed;
}
