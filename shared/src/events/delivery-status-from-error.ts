import { Code, ConnectError } from "@connectrpc/connect";
import { connectErrorFromPostgres } from "../data/connect-error-from-postgres.js";

/** How a failed delivery is answered to Knative's dispatcher. */
export interface DeliveryStatus {
  /** 400: never retried, dead-lettered at once; 429 and 5xx: retried with back-off, then dead-lettered. */
  readonly status: 400 | 429 | 500 | 503;
  readonly error: ConnectError;
}

/** Codes that would fail the same way on every redelivery: retrying only delays the dead letter. */
const permanent: ReadonlySet<Code> = new Set([
  Code.InvalidArgument,
  Code.FailedPrecondition,
  Code.NotFound,
  Code.AlreadyExists,
  Code.PermissionDenied,
  Code.Unauthenticated,
  Code.OutOfRange,
  Code.Unimplemented,
]);

/**
 * Maps what a delivery threw to the status Knative acts on. Knative retries 404, 409, 429 and
 * 5xx, so permanent failures (`not_found`, `already_exists` included) are all 400, never 404 or
 * 409. `resource_exhausted` is 429, `unavailable` 503, and every other failure 500: `unknown`,
 * `internal`, `aborted`, `deadline_exceeded`, `data_loss`, `canceled`. Postgres errors thrown by
 * a handler's queries are mapped by `connectErrorFromPostgres` first (a unique violation is then
 * `already_exists`, a lost connection `unavailable`); other errors by `ConnectError.from`.
 *
 * @example
 * deliveryStatusFromError(new ConnectError("no such user", Code.NotFound)).status // 400
 */
export function deliveryStatusFromError(err: unknown): DeliveryStatus {
  const error = err instanceof Error && err.name === "PostgresError" ? connectErrorFromPostgres(err) : ConnectError.from(err);
  if (permanent.has(error.code)) return { status: 400, error };
  if (error.code === Code.ResourceExhausted) return { status: 429, error };
  if (error.code === Code.Unavailable) return { status: 503, error };
  return { status: 500, error };
}
