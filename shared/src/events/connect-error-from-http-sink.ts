import { Code, ConnectError } from "@connectrpc/connect";

/** What one POST to a sink came to: a response that was not 2xx, or no response at all. */
export type HttpSinkFailure = { readonly status: number; readonly body: string } | { readonly error: unknown };

const statusCodes: Record<number, Code> = {
  400: Code.InvalidArgument,
  401: Code.Unauthenticated,
  403: Code.PermissionDenied,
  404: Code.NotFound,
  408: Code.DeadlineExceeded,
  413: Code.ResourceExhausted,
  429: Code.ResourceExhausted,
  504: Code.DeadlineExceeded,
};

/**
 * The one mapper from a failed POST to an HTTP event sink to a Connect code: the status when
 * there was a response (404: no such broker, so K_SINK is wrong; 429: the broker is full; 5xx:
 * unavailable), the per-request timeout as `deadline_exceeded`, and any network error (refused,
 * reset, unresolvable) as `unavailable`. Messages name the sink and quote the start of the body.
 *
 * @internal
 */
export function connectErrorFromHttpSink(url: string, failure: HttpSinkFailure): ConnectError {
  if ("status" in failure) {
    const code = statusCodes[failure.status] ?? (failure.status >= 500 ? Code.Unavailable : Code.Unknown);
    const body = failure.body.trim().slice(0, 200);
    const hint = failure.status === 404 ? " (no broker at this path: check K_SINK)" : "";
    return new ConnectError(`the event sink ${url} answered ${failure.status}${hint}${body ? `: ${body}` : ""}`, code);
  }
  const err = failure.error as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (err?.name === "TimeoutError") return new ConnectError(`the event sink ${url} did not answer in time`, Code.DeadlineExceeded, undefined, undefined, failure.error);
  const cause = err?.cause;
  const reason = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : String(err?.message ?? failure.error);
  return new ConnectError(`the event sink ${url} is unreachable: ${reason}`, Code.Unavailable, undefined, undefined, failure.error);
}
