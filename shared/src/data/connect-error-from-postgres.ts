import { Code, ConnectError } from "@connectrpc/connect";

/** The fields of postgres.js's `PostgresError` the mapper reads; never `detail`, which holds row values. */
interface ServerError {
  readonly code: string;
  readonly message: string;
  readonly constraint_name?: string | undefined;
  readonly table_name?: string | undefined;
  readonly column_name?: string | undefined;
}

type Rule = readonly [Code, (err: ServerError) => string];

const named = (name: string | undefined) => (name ? ` (${name})` : "");
const column = (err: ServerError) =>
  err.column_name ? ` for column ${err.table_name ? `${err.table_name}.` : ""}${err.column_name}` : "";
const invalid = (what: string): Rule => [Code.InvalidArgument, (err) => `${what}${column(err)}`];

// Server messages are used only for codes whose text never carries parameter values.
const bySqlState: Readonly<Record<string, Rule>> = {
  "23505": [Code.AlreadyExists, (err) => `already exists${named(err.constraint_name)}`],
  "23503": [Code.FailedPrecondition, (err) => `referenced row is missing or still referenced${named(err.constraint_name)}`],
  "23502": invalid("missing required value"),
  "23514": [Code.InvalidArgument, (err) => `value violates a check${named(err.constraint_name)}`],
  "22P02": invalid("value is not valid input for its type"),
  "22001": invalid("value is too long"),
  "22003": invalid("numeric value is out of range"),
  "22007": invalid("invalid date or time format"),
  "22008": invalid("date or time value is out of range"),
  "42501": [Code.PermissionDenied, (err) => err.message],
  "40001": [Code.Aborted, () => "transaction conflicted with a concurrent one; retry it"],
  "40P01": [Code.Aborted, () => "deadlock detected; retry the transaction"],
  "55P03": [Code.Aborted, () => "a lock could not be acquired in time; retry"],
  "57014": [Code.DeadlineExceeded, (err) => (/timeout/.test(err.message) ? "statement timed out" : "statement was canceled")],
  "53300": [Code.ResourceExhausted, () => "too many database connections"],
  "53200": [Code.ResourceExhausted, () => "database is out of memory"],
  "57P01": [Code.Unavailable, () => "database is shutting down"],
  "57P02": [Code.Unavailable, () => "database is shutting down"],
  "57P03": [Code.Unavailable, () => "database is starting up or not accepting connections"],
  "42P01": [Code.Internal, (err) => `database schema is out of date: ${err.message}`],
};

const byClass: Readonly<Record<string, Rule>> = {
  "08": [Code.Unavailable, () => "database connection failed"],
};

const unavailableNodeCodes = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "EHOSTUNREACH", "ENETUNREACH",
  "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED",
]);

/**
 * Converts anything postgres.js throws into a `ConnectError` with a meaningful `Code`: the one
 * place driver errors become API errors. Messages name the constraint, column or condition but
 * never a value (parameters may be passwords or personal data); the original error stays in
 * `cause` for logs. A `ConnectError` is returned unchanged.
 *
 * @example
 * try { await sql`insert into users ${sql(user)}`; } catch (err) { throw connectErrorFromPostgres(err); }
 */
export function connectErrorFromPostgres(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (isServerError(err)) {
    const rule = bySqlState[err.code] ?? byClass[err.code.slice(0, 2)];
    if (rule) return new ConnectError(rule[1](err), rule[0], undefined, undefined, err);
    return new ConnectError(`unexpected database error (sqlstate ${err.code})`, Code.Internal, undefined, undefined, err);
  }
  const code = nodeErrorCode(err);
  if (code !== undefined && unavailableNodeCodes.has(code)) {
    return new ConnectError(`database is unreachable (${code.toLowerCase()})`, Code.Unavailable, undefined, undefined, err);
  }
  if (code === "57014") return new ConnectError("statement was canceled", Code.DeadlineExceeded, undefined, undefined, err);
  return new ConnectError(`unexpected database error${code ? ` (${code.toLowerCase()})` : ""}`, Code.Internal, undefined, undefined, err);
}

function isServerError(err: unknown): err is ServerError {
  return err instanceof Error && err.name === "PostgresError" && typeof (err as { code?: unknown }).code === "string";
}

/** The `code` of a Node system error or postgres.js client error; for an `AggregateError` (happy eyeballs), its first child's. */
function nodeErrorCode(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") return code;
  if (err instanceof AggregateError) return nodeErrorCode(err.errors[0]);
  return undefined;
}
