import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { HandlerContext, Interceptor, UnaryRequest, UnaryResponse } from "@connectrpc/connect";
import { callOf, withSignalOf } from "./signal-of-call.js";
import type { UnaryHandlerContext } from "./unary-handler-context.js";
import type { UnaryRoute } from "./unary-routes.js";

/**
 * connect's `invokeUnaryImplementation` for the fast paths: the same request the interceptors
 * see (every field, in connect's order), the same handler context, the output normalised with
 * `create` and the response headers and trailers copied back, with two savings that nobody can
 * observe. The request's `signal` is read through to the context's, which is made on first read
 * (see `signalOfCall`); and a handler reached by the very request the fast path made gets the
 * fast path's context itself, since connect's copy of it (`mergeRequest`) would have the same
 * fields and values. A request an interceptor replaced gets a copy, as in connect.
 *
 * Promises are chained, not awaited: a plain handler's output is answered with one resolved
 * promise, and the call costs two promises where awaiting in async functions cost five.
 *
 * @example
 * const output = await invokeUnary(route, context, input, opt.interceptors);
 */
export function invokeUnary(route: UnaryRoute, context: UnaryHandlerContext, input: MessageShape<DescMessage>, interceptors: readonly Interceptor[]): Promise<MessageShape<DescMessage>> {
  const { method, impl } = route.spec;
  const request: UnaryRequest = withSignalOf(
    {
      stream: false as const,
      message: input,
      method,
      requestMethod: context.requestMethod,
      url: context.url,
      header: context.requestHeader,
      service: method.parent,
      contextValues: context.values,
      [callOf]: context[callOf],
    },
    "signal",
  );
  const respond = (output: unknown): UnaryResponse => ({
    message: create(method.output, output as never),
    stream: false,
    method,
    service: method.parent,
    header: context.responseHeader,
    trailer: context.responseTrailer,
  });
  const handle = (req: UnaryRequest): Promise<UnaryResponse> => {
    const handlerContext: HandlerContext =
      req === request ? context : { ...context, service: req.service, requestHeader: req.header, signal: req.signal, values: req.contextValues };
    try {
      const output = (impl as (message: unknown, ctx: HandlerContext) => unknown)(req.message, handlerContext);
      // As connect's `await impl(...)`: anything with a `then` is awaited.
      if (isThenable(output)) return Promise.resolve(output).then(respond);
      return Promise.resolve(respond(output));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  let next = handle as (req: UnaryRequest) => Promise<UnaryResponse>;
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next as never) as typeof next;
  let answer: Promise<UnaryResponse>;
  try {
    // Resolved as connect's `await` would: a native promise is taken as it is.
    answer = Promise.resolve(next(request));
  } catch (e) {
    // An interceptor that throws instead of rejecting fails the call as in connect's async chain.
    return Promise.reject(e);
  }
  return answer.then(({ message, header, trailer }) => {
    copyHeaders(header, context.responseHeader);
    copyHeaders(trailer, context.responseTrailer);
    return message;
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** connect's `copyHeaders`: replaces what `to` holds with what `from` holds. */
function copyHeaders(from: Headers, to: Headers): void {
  if (from === to) return;
  to.forEach((_, key) => to.delete(key));
  from.forEach((value, key) => to.set(key, value));
}
