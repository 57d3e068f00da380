import type * as http from "node:http";
import * as http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";

/** The signal of one unary call and what a handler context needs around it. */
export interface CallSignal {
  /** Aborts on the deadline, the client's leaving, the server's shutdown, and when the call ends. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the deadline, undefined without one (`HandlerContext.timeoutMs`). */
  readonly timeoutMs: () => number | undefined;
  /** Ends the call: aborts the signal with `reason` (default an `AbortError`) and stops watching. */
  readonly abort: (reason?: unknown) => void;
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
 * signal, shutdown), as one controller: it aborts with the same reasons — `deadline_exceeded`
 * "the operation timed out", the client's leaving as connect-node reports it, the shutdown
 * signal's reason — and, when the call ends, with an `AbortError`.
 */
export function signalOfCall(
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
  timeoutMs: number | undefined,
  shutdownSignal: AbortSignal | undefined,
): CallSignal {
  const controller = new AbortController();
  const signal = controller.signal;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    clearTimeout(timer);
    shutdownSignal?.removeEventListener("abort", onShutdown);
    if (h2) req.off("close", onH2Close);
    else {
      req.off("error", onH1Error);
      res.off("close", onH1Close);
    }
  };
  const abort = (reason?: unknown) => {
    if (signal.aborted) return;
    stop();
    controller.abort(reason ?? callEnded);
  };
  const onShutdown = () => abort(shutdownSignal!.reason);
  const h2 = "stream" in req;
  const onH2Close = () => abort(errorOfReset((req as http2.Http2ServerRequest).stream.rstCode));
  const onH1Error = (err: unknown) => abort(errorOfNodeReason(err));
  const onH1Close = () => abort(req.errored ? errorOfNodeReason(req.errored) : undefined);
  let deadline: number | undefined;
  if (timeoutMs !== undefined) {
    deadline = Date.now() + timeoutMs;
    if (timeoutMs <= 0) abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    else timer = setTimeout(() => abort(new ConnectError("the operation timed out", Code.DeadlineExceeded)), timeoutMs);
  }
  if (!signal.aborted) {
    if (shutdownSignal?.aborted) abort(shutdownSignal.reason);
    else {
      shutdownSignal?.addEventListener("abort", onShutdown);
      if (h2) req.once("close", onH2Close);
      else {
        req.once("error", onH1Error);
        res.once("close", onH1Close);
      }
    }
  }
  return { signal, timeoutMs: () => (deadline === undefined ? undefined : deadline - Date.now()), abort };
}
