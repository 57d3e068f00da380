import type * as http from "node:http";
import type * as http2 from "node:http2";
import { createContextValues, type ContextValues, type HandlerContext } from "@connectrpc/connect";
import type { CallSignal } from "./signal-of-call.js";
import type { UnaryRoute, UnaryRoutes } from "./unary-routes.js";

export interface UnaryHandlerContextInit {
  readonly routes: UnaryRoutes;
  readonly route: UnaryRoute;
  readonly req: http.IncomingMessage | http2.Http2ServerRequest;
  readonly protocolName: "connect" | "grpc";
  readonly url: string;
  readonly call: CallSignal;
  readonly requestHeader: Headers;
  readonly responseHeader: Headers;
  readonly responseTrailer: Headers;
}

/**
 * The handler context of a fast-path call: the fields connect's `createHandlerContext` gives a
 * handler, none more, none fewer, so interceptors and handlers cannot tell the paths apart.
 */
export function unaryHandlerContext(init: UnaryHandlerContextInit): HandlerContext & { readonly abort: CallSignal["abort"] } {
  const { routes, route, req, protocolName, url, call, requestHeader, responseHeader, responseTrailer } = init;
  const context = {
    ...route.spec,
    service: route.spec.method.parent,
    requestMethod: "POST",
    protocolName,
    timeoutMs: call.timeoutMs,
    shutdownSignal: routes.opt.shutdownSignal,
    requestSignal: call.signal,
    requestHeader,
    url,
    responseHeader,
    contextValues: undefined as ContextValues | undefined,
    signal: call.signal,
    responseTrailer,
    abort: call.abort,
    values: routes.given.contextValues?.(req) ?? createContextValues(),
  } satisfies HandlerContext & Record<string, unknown>;
  context.contextValues = context.values;
  return context;
}
