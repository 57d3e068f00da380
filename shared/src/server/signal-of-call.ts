import type * as http from "node:http";
import * as http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";

/** The signal of one unary call and what a handler context needs around it. */
export interface CallSignal {
  /**
   * Aborts on the deadline, the client's leaving, the server's shutdown, and when the call
   * ends. Made on first read: most calls never read it, and an AbortController with its
   * listeners and timer was a measurable share of a unary call.
   */
  readonly signal: AbortSignal;
  /** Milliseconds left before the deadline, undefined without one (`HandlerContext.timeoutMs`). */
  timeoutMs(): number | undefined;
  /** Ends the call: aborts the signal with `reason` (default an `AbortError`) and stops watching. */
  abort(reason?: unknown): void;
}

/**
 * Internal: one shared `AbortError` for calls that simply ended. connect builds a new
 * DOMException (with its stack) for each; nothing reads its stack, and building it was a
 * measurable share of a unary call.
 */
const callEnded = new DOMException("This operation was aborted", "AbortError");

/** http2 RST_STREAM codes and the Connect codes connect-node gives a request signal for them. */
const resetCodes: Record<number, [name: string, code: Code]> = {
  [http2.constants.NGHTTP2_PROTOCOL_ERROR]: ["PROTOCOL_ERROR", Code.Internal],
  [http2.constants.NGHTTP2_INTERNAL_ERROR]: ["INTERNAL_ERROR", Code.Internal],
  [http2.constants.NGHTTP2_FLOW_CONTROL_ERROR]: ["FLOW_CONTROL_ERROR", Code.Internal],
  [http2.constants.NGHTTP2_SETTINGS_TIMEOUT]: ["SETTINGS_TIMEOUT", Code.Internal],
  [http2.constants.NGHTTP2_FRAME_SIZE_ERROR]: ["FRAME_SIZE_ERROR", Code.Internal],
  [http2.constants.NGHTTP2_REFUSED_STREAM]: ["REFUSED_STREAM", Code.Unavailable],
  [http2.constants.NGHTTP2_CANCEL]: ["CANCEL", Code.Canceled],
  [http2.constants.NGHTTP2_COMPRESSION_ERROR]: ["COMPRESSION_ERROR", Code.Internal],
  [http2.constants.NGHTTP2_CONNECT_ERROR]: ["CONNECT_ERROR", Code.Internal],
  [http2.constants.NGHTTP2_ENHANCE_YOUR_CALM]: ["ENHANCE_YOUR_CALM", Code.ResourceExhausted],
  [http2.constants.NGHTTP2_INADEQUATE_SECURITY]: ["INADEQUATE_SECURITY", Code.PermissionDenied],
  [http2.constants.NGHTTP2_HTTP_1_1_REQUIRED]: ["HTTP_1_1_REQUIRED", Code.PermissionDenied],
};

/** What connect-node makes of an h2 stream's reset code (undefined: a plain AbortError). */
function errorOfReset(rstCode: number): ConnectError | undefined {
  const known = resetCodes[rstCode];
  return known && new ConnectError(`http/2 stream closed with error code ${known[0]} (0x${rstCode.toString(16)})`, known[1]);
}

/** What connect-node makes of a failed HTTP/1.1 request: the client leaving is `aborted`. */
function errorOfNodeReason(reason: unknown): ConnectError {
  const codes: unknown[] = [];
  for (let e = reason; e instanceof Error && codes.length < 8; e = e.cause) codes.push((e as { code?: unknown }).code);
  const aborted = codes.some((c) => c === "ERR_STREAM_WRITE_AFTER_END" || c === "ERR_STREAM_DESTROYED" || c === "ERR_HTTP2_INVALID_STREAM" || c === "ECONNRESET");
  const error = ConnectError.from(reason, aborted ? Code.Aborted : Code.Internal);
  if (error !== reason) error.cause = reason;
  return error;
}

/**
 * The signal connect's `createHandlerContext` links from three (deadline, connect-node's request
 * signal, shutdown), as one controller made when the signal is first read: it aborts with the
 * same reasons — `deadline_exceeded` "the operation timed out", the client's leaving as
 * connect-node reports it, the shutdown signal's reason — and, when the call ends, with an
 * `AbortError`. The deadline's timer runs from the start, as connect's does, so that a signal
 * first read after the deadline still aborts when that timer fires, not before; read after the
 * client left or the server began shutting down, it is aborted already, as theirs would be.
 */
export function signalOfCall(transport: CallTransport, timeoutMs: number | undefined, shutdownSignal: AbortSignal | undefined): CallSignal {
  return new LazyCallSignal(transport, timeoutMs, shutdownSignal);
}

/**
 * What a call arrived on: an HTTP/2 stream (the one under node's compatibility request, or taken
 * raw), or an HTTP/1.1 request and its response.
 */
export type CallTransport = http2.Http2Stream | { readonly req: http.IncomingMessage; readonly res: http.ServerResponse };

/** The transport of a request served through node's compatibility API, either HTTP version. */
export function transportOf(
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
): CallTransport {
  return "stream" in req ? req.stream : { req, res: res as http.ServerResponse };
}

const deadlineExceeded = () => new ConnectError("the operation timed out", Code.DeadlineExceeded);

class LazyCallSignal implements CallSignal {
  #controller: AbortController | undefined;
  #ended = false;
  #reason: unknown;
  readonly #deadline: number | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  /** Stops watching the request and the shutdown; set while watching. */
  #unwatch: (() => void) | undefined;

  constructor(
    private readonly transport: CallTransport,
    timeoutMs: number | undefined,
    private readonly shutdownSignal: AbortSignal | undefined,
  ) {
    if (timeoutMs === undefined) return;
    this.#deadline = Date.now() + timeoutMs;
    if (timeoutMs <= 0) this.abort(deadlineExceeded());
    else this.#timer = setTimeout(() => this.abort(deadlineExceeded()), timeoutMs);
  }

  get signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    const controller = (this.#controller = new AbortController());
    if (this.#ended) controller.abort(this.#reason);
    else this.#watch();
    return controller.signal;
  }

  timeoutMs(): number | undefined {
    return this.#deadline === undefined ? undefined : this.#deadline - Date.now();
  }

  abort(reason?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#reason = reason ?? callEnded;
    clearTimeout(this.#timer);
    this.#unwatch?.();
    this.#controller?.abort(this.#reason);
  }

  /** Aborts at once for what already happened, else watches for it as connect-node's signals do. */
  #watch(): void {
    const { transport, shutdownSignal } = this;
    const onShutdown = () => this.abort(shutdownSignal!.reason);
    let unwatchTransport: () => void;
    if ("req" in transport) {
      const { req, res } = transport;
      const onError = (err: unknown) => this.abort(errorOfNodeReason(err));
      const onClose = () => this.abort(req.errored ? errorOfNodeReason(req.errored) : undefined);
      if (req.errored) return onError(req.errored);
      if (res.closed) return onClose();
      req.once("error", onError);
      res.once("close", onClose);
      unwatchTransport = () => {
        req.off("error", onError);
        res.off("close", onClose);
      };
    } else {
      const onClose = () => this.abort(errorOfReset(transport.rstCode));
      if (transport.closed || transport.destroyed) return onClose();
      transport.once("close", onClose);
      unwatchTransport = () => transport.off("close", onClose);
    }
    if (shutdownSignal?.aborted) {
      unwatchTransport();
      return this.abort(shutdownSignal.reason);
    }
    shutdownSignal?.addEventListener("abort", onShutdown);
    this.#unwatch = () => {
      shutdownSignal?.removeEventListener("abort", onShutdown);
      unwatchTransport();
    };
  }
}

/** Where an object made by `withSignalOf` keeps its call. */
export const callOf: unique symbol = Symbol("kinetic call");

function readCallSignal(this: { readonly [callOf]: CallSignal }): AbortSignal {
  return this[callOf].signal;
}

/** One getter for every object: a getter written in an object literal is a new function each time, which turns each such object into a slow dictionary-mode one. */
const signalProperty: PropertyDescriptor = { get: readCallSignal, enumerable: true, configurable: true };

/**
 * Gives `target` (which holds its call under `callOf`) own, enumerable `names` that read the
 * call's signal, so that it is made only when read, and a copy (`{ ...target }`) still has them.
 *
 * @example
 * const req = withSignalOf({ message, [callOf]: call }, "signal");
 */
export function withSignalOf<T extends { readonly [callOf]: CallSignal }, K extends string>(target: T, ...names: K[]): T & { readonly [P in K]: AbortSignal } {
  for (const name of names) Object.defineProperty(target, name, signalProperty);
  return target as T & { readonly [P in K]: AbortSignal };
}
