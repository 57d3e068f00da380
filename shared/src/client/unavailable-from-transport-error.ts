import { Code, ConnectError } from "@connectrpc/connect";

const transportCodes = /^(ECONN\w+|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|ERR_HTTP2_\w+)$/;

/**
 * A transport failure (refused, reset, DNS) as `unavailable` naming the target function and
 * URL; errors the target itself answered with pass through untouched.
 */
export function unavailableFromTransportError(err: unknown, target: string, url: string): unknown {
  if (!(err instanceof ConnectError)) return err;
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string" || !transportCodes.test(code)) return err;
  return new ConnectError(`function "${target}" at ${url} is unavailable (${code})`, Code.Unavailable, err.metadata, undefined, err.cause);
}
