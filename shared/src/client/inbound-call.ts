import { AsyncLocalStorage } from "node:async_hooks";
import type { Interceptor, StreamResponse } from "@connectrpc/connect";
import { timeoutFromHeaders } from "./timeout-from-headers.js";

/** Headers carrying who is calling. Only trusted from inside: the gateway strips them from outside requests. */
export const callerHeader = "kinetic-caller";
export const subjectHeader = "kinetic-subject";

/** The RPC a handler is serving, as outgoing calls see it. */
export interface InboundCall {
  /** The function serving it. */
  readonly function: string;
  /** The calling function, from `kinetic-caller`; undefined for outside callers. */
  readonly caller: string | undefined;
  /** The authenticated subject (user id) the call acts for, from `kinetic-subject`. */
  readonly subject: string | undefined;
  /** Absolute deadline (ms since epoch) from `Connect-Timeout-Ms` / `grpc-timeout`, if any. */
  readonly deadline: number | undefined;
}

const storage = new AsyncLocalStorage<InboundCall>();

/** The inbound call of the running handler, or undefined outside any handler. */
export function inboundCall(): InboundCall | undefined {
  return storage.getStore();
}

/** Runs `fn` acting for `subject` (after the function authenticated someone itself). */
export function withSubject<T>(subject: string, fn: () => T): T {
  const current = storage.getStore();
  return storage.run({ function: current?.function ?? "", caller: current?.caller, subject, deadline: current?.deadline }, fn);
}

/**
 * Server interceptor recording each call's caller, subject and deadline, and keeping them
 * available to the handler, its stream and every client call it makes.
 */
export function createInboundCallInterceptor(fn: string): Interceptor {
  return (next) =>
    function recordInboundCall(req) {
      const timeoutMs = timeoutFromHeaders(req.header);
      const call: InboundCall = {
        function: fn,
        caller: req.header.get(callerHeader) ?? undefined,
        subject: req.header.get(subjectHeader) ?? undefined,
        deadline: timeoutMs === undefined ? undefined : Date.now() + timeoutMs,
      };
      let answer;
      try {
        answer = storage.run(call, next, req);
      } catch (err) {
        return Promise.reject(err);
      }
      // A unary answer needs no wrapping: hand its promise on as it is.
      const kind = req.method.methodKind;
      if (kind === "unary" || kind === "client_streaming") return answer;
      return answer.then((res) => (res.stream ? ({ ...res, message: iterateWithin(call, res.message) } satisfies StreamResponse) : res));
    };
}

/** An async iterable whose every step runs inside `call`, for server-streaming handlers. */
function iterateWithin<T>(call: InboundCall, iterable: AsyncIterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = storage.run(call, () => iterable[Symbol.asyncIterator]());
      return {
        next: () => storage.run(call, () => it.next()),
        return: (value?: unknown) => storage.run(call, () => it.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined })),
        throw: (err?: unknown) => storage.run(call, () => it.throw?.(err) ?? Promise.reject(err)),
      } as AsyncIterator<T>;
    },
  };
}
