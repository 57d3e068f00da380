import { SpanKind, context, isSpanContextValid, trace, type Attributes, type Context, type Tracer } from "@opentelemetry/api";
import type { Sql } from "postgres";
import { endSpan } from "./end-span.js";
import { sqlAttributesFromText } from "./sql-attributes-from-text.js";

/** Internal: the members of a postgres.js 3.4 `Query` this relies on. */
interface QueryInternals extends Promise<unknown> {
  readonly strings: readonly string[];
  readonly tagged: boolean;
  readonly executed: boolean;
  /** The statement as sent, once built: `$n` placeholders, identifiers inlined. */
  readonly string?: string;
  /** Runs the query the first time any of then/catch/finally/execute/forEach/cursor is called. */
  handle(): Promise<void>;
  /** Settle it; postgres.js reassigns them itself for cursors. */
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type AnyFunction = (...args: unknown[]) => unknown;

/** Methods whose result or callback argument carries more queries. */
const wrappedMethods = new Set<string | symbol>(["unsafe", "file", "begin", "savepoint", "reserve"]);

/**
 * Returns `sql` with a CLIENT span per query execution (`db.system` "postgresql",
 * `db.namespace`, `db.operation`, `db.query.text` without values, `server.address`/`port`;
 * SQLSTATE as `db.response.status_code` on failure). A Proxy keeps the type and every helper:
 * `sql(identifier)` fragments, `sql.unsafe`, `sql.file`, `sql.begin(tx => …)` and
 * `tx.savepoint` (their `tx` is wrapped too), `sql.reserve()`. The span starts when the query
 * is really sent, not when a fragment is built, and only inside a trace (a request, a client
 * call), which keeps migrations, health checks and pool chatter out of the traces.
 * postgres.js sends its own BEGIN/COMMIT; those are not traced.
 */
export function instrumentSql<T extends Sql<any>>(tracer: Tracer, sql: T): T {
  const { database, host, port } = sql.options;
  const base: Attributes = { "db.system.name": "postgresql", "db.system": "postgresql", "db.namespace": database };
  if (host[0] !== undefined) Object.assign(base, { "server.address": host[0], "server.port": port[0] ?? 5432 });

  const traceQuery = (value: unknown) => {
    if (isQuery(value)) traceExecution(tracer, value, base, context.active());
    return value;
  };
  const wrapCallback = (arg: unknown) => (typeof arg === "function" ? (tx: AnyFunction) => (arg as AnyFunction)(wrap(tx)) : arg);
  const wrap = <S extends object>(target: S): S => {
    const cache = new Map<string | symbol, AnyFunction>();
    const method = (key: string | symbol, original: AnyFunction): AnyFunction => {
      if (key === "begin" || key === "savepoint") return (...args) => original.apply(target, args.map(wrapCallback));
      if (key === "reserve") return async (...args) => wrap((await original.apply(target, args)) as AnyFunction);
      return (...args) => traceQuery(original.apply(target, args));
    };
    return new Proxy(target, {
      apply: (fn, self, args) => traceQuery(Reflect.apply(fn as AnyFunction, self, args)),
      get(obj, key) {
        const value: unknown = Reflect.get(obj, key, obj);
        if (!wrappedMethods.has(key) || typeof value !== "function") return value;
        let wrapped = cache.get(key);
        if (!wrapped) cache.set(key, (wrapped = method(key, value as AnyFunction)));
        return wrapped;
      },
    });
  };
  return wrap(sql);
}

function isQuery(value: unknown): value is QueryInternals {
  return value instanceof Promise && "strings" in value && typeof (value as Partial<QueryInternals>).handle === "function";
}

/**
 * Internal: opens the span when the query is handed to a connection and ends it when it
 * settles. Its parent is the context the query was written in, which is also right when the
 * query is awaited elsewhere (returned un-awaited from a helper, run by `sql.begin`).
 */
function traceExecution(tracer: Tracer, query: QueryInternals, base: Attributes, parent: Context): void {
  const handle = query.handle;
  query.handle = function tracedHandle(this: QueryInternals) {
    if (!this.executed) startSpan(tracer, this, base, parent);
    return handle.call(this);
  };
}

function startSpan(tracer: Tracer, query: QueryInternals, base: Attributes, parent: Context): void {
  const parentIds = trace.getSpanContext(parent);
  if (!parentIds || !isSpanContextValid(parentIds)) return;
  const span = tracer.startSpan("postgresql", { kind: SpanKind.CLIENT, attributes: base }, parent);
  if (!span.isRecording()) return; // no SDK, or not sampled: nothing to describe
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    const text = query.string ?? (query.tagged ? query.strings.reduce((all, part, i) => `${all}$${i}${part}`) : (query.strings[0] ?? ""));
    const attributes = sqlAttributesFromText(text);
    span.setAttributes(attributes);
    span.updateName(`${attributes["db.operation.name"] ?? "postgresql"} ${String(base["db.namespace"])}`);
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code === "string") {
      span.setAttribute("error.type", code);
      if ((error as Error).name === "PostgresError") span.setAttribute("db.response.status_code", code);
    }
    endSpan(span, error);
  };
  let resolve = query.resolve;
  let reject = query.reject;
  Object.defineProperties(query, {
    resolve: { configurable: true, get: () => (value: unknown) => (end(), resolve(value)), set: (fn: typeof resolve) => void (resolve = fn) },
    reject: { configurable: true, get: () => (error: unknown) => (end(error), reject(error)), set: (fn: typeof reject) => void (reject = fn) },
  });
}
