import type * as http from "node:http";
import type * as http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { compressionNegotiate, invokeUnaryImplementation } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  contentTypeUnaryJson,
  contentTypeUnaryProto,
  contentTypeUnaryRegExp,
  errorToJsonBytes,
  parseTimeout,
  trailerMux,
} from "@connectrpc/connect/protocol-connect";
import { readRequestBody } from "./read-request-body.js";
import { signalOfCall } from "./signal-of-call.js";
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
 * - a call that simply ends aborts its signal with one shared `AbortError` instead of a new
 *   DOMException each time (building it, stack and all, was a measurable share of a call);
 * - the context's internal `requestSignal` field (not part of `HandlerContext`) is the call's
 *   signal itself, not a second one for the connection;
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

  async function serveUnary(req: NodeRequest, res: NodeResponse, route: UnaryRoute, binary: boolean, url: string): Promise<void> {
    const { spec, serialization } = route;
    const nodeHeaders = req.headers;
    const requestHeader = webHeaderOf(nodeHeaders);
    const timeout = parseTimeout(requestHeader.get("connect-timeout-ms"), opt.maxTimeoutMs);
    const call = signalOfCall(req, res, timeout.timeoutMs, opt.shutdownSignal);
    const responseHeader = new Headers({ "content-type": binary ? contentTypeUnaryProto : contentTypeUnaryJson });
    const responseTrailer = new Headers();
    const context = unaryHandlerContext({ routes, route, req, protocolName: "connect", url, call, requestHeader, responseHeader, responseTrailer });
    const compression = compressionNegotiate(opt.acceptCompression, null, requestHeader.get("accept-encoding"), "Accept-Encoding");
    let status = 200;
    let body: Uint8Array;
    try {
      if (compression.error) throw compression.error;
      if (timeout.error) throw timeout.error;
      const bytes = await readRequestBody(req, opt.readMaxBytes, nodeHeaders["content-length"]);
      const input = serialization.getI(binary).parse(bytes);
      const output = await invokeUnaryImplementation(spec, context, input, opt.interceptors);
      body = serialization.getO(binary).serialize(output);
    } catch (e) {
      context.abort(e);
      const error = e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
      status = codeToHttpStatus(error.code);
      responseHeader.set("content-type", contentTypeUnaryJson);
      error.metadata.forEach((value, key) => responseHeader.set(key, value));
      body = errorToJsonBytes(error, opt.jsonOptions);
    } finally {
      context.abort();
    }
    if (compression.response && body.byteLength >= opt.compressMinBytes) {
      body = await compression.response.compress(body);
      responseHeader.set("content-encoding", compression.response.name);
    }
    const header = trailerMux(responseHeader, responseTrailer);
    header.set("content-length", body.byteLength.toString(10));
    if ("stream" in res ? res.stream.destroyed : res.destroyed) return; // the client left: nobody to answer
    res.writeHead(status, nodeHeadersOf(header));
    res.end(body);
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
    serveUnary(req, res, route, binary, routes.originOf(authority) + req.url).catch((reason: unknown) => {
      // As connect-node: an answer that cannot be written is the client's leaving, nothing to report.
      if (!("stream" in res ? res.stream.destroyed : res.destroyed)) console.error(`handler for rpc ${route.spec.method.name} of ${route.spec.method.parent.typeName} failed`, reason);
    });
    return true;
  };
}

/** connect-node's `nodeHeaderToWebHeader`: every header but HTTP/2 pseudo-headers. */
export function webHeaderOf(nodeHeaders: http.IncomingHttpHeaders): Headers {
  const header = new Headers();
  for (const key in nodeHeaders) {
    if (key.startsWith(":")) continue;
    const value = nodeHeaders[key];
    if (value === undefined) continue;
    if (typeof value === "string") header.append(key, value);
    else if (typeof value === "number") header.append(key, String(value));
    else for (const item of value) header.append(key, item);
  }
  return header;
}

/** connect-node's `webHeaderToNodeHeaders`: repeated names (set-cookie) become arrays. */
export function nodeHeadersOf(header: Headers): http.OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = Object.create(null);
  header.forEach((value, key) => {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  });
  return out;
}
