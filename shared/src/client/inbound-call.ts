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

let tracking = false;

/**
 * Makes every call served from now on keep its inbound call for `inboundCall()`. The runtime
 * calls it where something will read it: when a client of another function is made and when a
 * function's event publisher is. Until then calls are served without it: the first
 * `AsyncLocalStorage.run` switches Node 20's promise hooks on for the whole process, about 15%
 * of the CPU of a small Connect call, which a function that calls no one never needs.
 */
export function trackInboundCalls(): void {
  tracking = true;
}

/**
 * The inbound call of the running handler, or undefined outside any handler. Reading it turns
 * tracking on (`trackInboundCalls`) for calls that start afterwards: in a function that makes no
 * client and publishes no events, call `trackInboundCalls()` in `setup` to have it from the
 * first call on.
 */
export function inboundCall(): InboundCall | undefined {
  tracking = true;
  return storage.getStore();
}

/** Runs `fn` acting for `subject` (after the function authenticated someone itself). */
export function withSubject<T>(subject: string, fn: () => T): T {
  tracking = true;
  const current = storage.getStore();
  return storage.run({ function: current?.function ?? "", caller: current?.caller, subject, deadline: current?.deadline }, fn);
}

/**
 * Server interceptor recording each call's caller, subject and deadline, and keeping them
 * available to the handler, its stream and every client call it makes, once something reads
 * them (`trackInboundCalls`).
 */
export function createInboundCallInterceptor(fn: string): Interceptor {
  return (next) =>
    function recordInboundCall(req) {
      if (!tracking) return next(req);
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
