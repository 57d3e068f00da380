import { Code, ConnectError } from "@connectrpc/connect";

const unavailableNames = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSNumberOfRetriesExceeded",
  "KafkaJSBrokerNotFound",
  "KafkaJSLockTimeout",
  "KafkaJSNonRetriableError",
]);

const protocolCodes: Record<string, Code> = {
  MESSAGE_TOO_LARGE: Code.ResourceExhausted,
  RECORD_LIST_TOO_LARGE: Code.ResourceExhausted,
  UNKNOWN_TOPIC_OR_PARTITION: Code.FailedPrecondition,
  TOPIC_AUTHORIZATION_FAILED: Code.PermissionDenied,
  CLUSTER_AUTHORIZATION_FAILED: Code.PermissionDenied,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: Code.PermissionDenied,
  INVALID_TOPIC_EXCEPTION: Code.InvalidArgument,
  NOT_ENOUGH_REPLICAS: Code.Unavailable,
  LEADER_NOT_AVAILABLE: Code.Unavailable,
  NOT_LEADER_OR_FOLLOWER: Code.Unavailable,
  REQUEST_TIMED_OUT: Code.Unavailable,
};

/**
 * The one mapper from kafkajs errors to Connect codes: connection trouble and exhausted retries
 * are `unavailable`, broker protocol errors by their Kafka error type, anything else `internal`.
 */
export function connectErrorFromKafka(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const e = err as { name?: unknown; type?: unknown; message?: unknown };
  const name = typeof e.name === "string" ? e.name : "";
  const message = typeof e.message === "string" ? e.message : String(err);
  if (name === "KafkaJSProtocolError" && typeof e.type === "string") {
    return new ConnectError(`kafka refused the request: ${e.type.toLowerCase()}`, protocolCodes[e.type] ?? Code.Internal, undefined, undefined, err);
  }
  if (unavailableNames.has(name)) return new ConnectError(`kafka is unavailable: ${message}`, Code.Unavailable, undefined, undefined, err);
  return new ConnectError(`unexpected kafka error: ${message}`, Code.Internal, undefined, undefined, err);
}
