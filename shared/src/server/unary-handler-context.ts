import type * as http from "node:http";
import type * as http2 from "node:http2";
import type { ContextValues, HandlerContext } from "@connectrpc/connect";
import { callOf, withSignalOf, type CallSignal } from "./signal-of-call.js";
import { FastContextValues } from "./fast-context-values.js";
import type { UnaryRoute, UnaryRoutes } from "./unary-routes.js";

export interface UnaryHandlerContextInit {
  readonly routes: UnaryRoutes;
  readonly route: UnaryRoute;
  /** What `contextValues` is given: the request, or the HTTP/2 stream the gRPC fast path took. */
  readonly req: http.IncomingMessage | http2.Http2ServerRequest | http2.ServerHttp2Stream;
  readonly protocolName: "connect" | "grpc";
  readonly url: string;
  readonly call: CallSignal;
  readonly requestHeader: Headers;
  readonly responseHeader: Headers;
  readonly responseTrailer: Headers;
}

/** A fast-path call's handler context, with the `abort` connect's contexts carry too. */
export type UnaryHandlerContext = HandlerContext & {
  /** connect-node's request signal; here the call's own (see `createConnectUnaryFastPath`). */
  readonly requestSignal: AbortSignal;
  readonly kind: "unary";
  readonly impl: UnaryRoute["spec"]["impl"];
  readonly shutdownSignal: AbortSignal | undefined;
  readonly contextValues: ContextValues;
  readonly abort: (reason?: unknown) => void;
  readonly [callOf]: CallSignal;
};

/**
 * The handler context of a fast-path call: the fields connect's `createHandlerContext` gives a
 * handler, none more, none fewer, so interceptors and handlers cannot tell the paths apart.
 * `signal` and `requestSignal` are read through to the call's lazily made signal, as own
 * properties so that a copy (`{ ...ctx }`) still carries them (see `withSignalOf`).
 */
export function unaryHandlerContext(init: UnaryHandlerContextInit): UnaryHandlerContext {
  const { routes, route, req, call } = init;
  const values: ContextValues = routes.given.contextValues?.(req) ?? new FastContextValues();
  const { spec } = route;
  const context = {
    kind: spec.kind,
    method: spec.method,
    impl: spec.impl,
    service: spec.method.parent,
    requestMethod: "POST",
    protocolName: init.protocolName,
    timeoutMs: () => call.timeoutMs(),
    shutdownSignal: routes.opt.shutdownSignal,
    requestHeader: init.requestHeader,
    url: init.url,
    responseHeader: init.responseHeader,
    contextValues: values,
    responseTrailer: init.responseTrailer,
    abort: (reason?: unknown) => call.abort(reason),
    values,
    [callOf]: call,
  };
  return withSignalOf(context, "requestSignal", "signal") satisfies UnaryHandlerContext;
}
