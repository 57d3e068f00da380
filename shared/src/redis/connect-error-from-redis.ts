import { Code, ConnectError } from "@connectrpc/connect";

type Rule = readonly [Code, string];

// Keyed by the first word of a Redis error reply. Reply texts are never copied into messages:
// script errors quote the script and its arguments.
const byReplyPrefix: Readonly<Record<string, Rule>> = {
  OOM: [Code.ResourceExhausted, "redis is out of memory"],
  NOAUTH: [Code.Internal, "redis requires a password: check REDIS_URL"],
  WRONGPASS: [Code.Internal, "redis rejected the user or password: check REDIS_URL"],
  NOPERM: [Code.Internal, "redis user lacks a permission the command needs: check its ACL"],
  READONLY: [Code.Unavailable, "redis is unavailable: it is a read-only replica"],
  LOADING: [Code.Unavailable, "redis is unavailable: it is loading its dataset"],
  BUSY: [Code.Unavailable, "redis is unavailable: it is busy running a script"],
  MASTERDOWN: [Code.Unavailable, "redis is unavailable: its primary is down"],
  CLUSTERDOWN: [Code.Unavailable, "redis is unavailable: the cluster is down"],
  TRYAGAIN: [Code.Unavailable, "redis is unavailable: a resharding is in progress, retry"],
  WRONGTYPE: [Code.Internal, "redis key holds a value of the wrong type"],
};

const unavailableNodeCodes: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EPIPE: "connection closed",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

// ioredis's own client-side failures, which carry no code.
const unavailableMessages: readonly (readonly [RegExp, string])[] = [
  [/^Connection is closed/, "connection is closed"],
  [/^Stream isn't writeable/, "not connected"],
  [/^Command timed out/, "command timed out"],
  [/^Reached the max retries per request limit/, "connection lost while the command ran"],
  [/^None of the sentinels are available/, "no sentinel is reachable"],
  [/^Failed to refresh slots cache/, "no cluster node is reachable"],
];

/**
 * Converts anything ioredis throws into a `ConnectError`: the one place Redis errors become API
 * errors. A lost or refused connection, a timeout and a server that cannot serve right now
 * (read-only replica, loading, busy, cluster down) are `Unavailable`; a full memory is
 * `ResourceExhausted`; bad credentials, wrong types and other rejected commands are `Internal`,
 * since they are bugs or misconfiguration, not the caller's fault. Messages never quote keys or
 * values; the original error stays in `cause` for logs. A `ConnectError` is returned unchanged.
 *
 * @example
 * try { await redis.client.incr("visits"); } catch (err) { throw connectErrorFromRedis(err); }
 */
export function connectErrorFromRedis(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (!(err instanceof Error)) return new ConnectError("unexpected redis error", Code.Internal, undefined, undefined, err);
  if (err.name === "ReplyError") {
    const prefix = /^[A-Z]+/.exec(err.message)?.[0] ?? "";
    const rule = byReplyPrefix[prefix];
    if (rule) return new ConnectError(rule[1], rule[0], undefined, undefined, err);
    return new ConnectError(`redis rejected the command${prefix ? ` (${prefix})` : ""}`, Code.Internal, undefined, undefined, err);
  }
  const reason = unavailableReason(err);
  if (reason !== undefined) return new ConnectError(`redis is unavailable: ${reason}`, Code.Unavailable, undefined, undefined, err);
  return new ConnectError("unexpected redis error", Code.Internal, undefined, undefined, err);
}

function unavailableReason(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && Object.hasOwn(unavailableNodeCodes, code)) return unavailableNodeCodes[code];
  if (err instanceof AggregateError && err.errors[0] instanceof Error) return unavailableReason(err.errors[0]);
  if (err.name === "MaxRetriesPerRequestError") return "connection lost while the command ran";
  return unavailableMessages.find(([pattern]) => pattern.test(err.message))?.[1];
}
