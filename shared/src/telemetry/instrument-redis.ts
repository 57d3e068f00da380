import { SpanKind, context, isSpanContextValid, trace, type Attributes, type Tracer } from "@opentelemetry/api";
import type { Command, Redis } from "ioredis";
import { endSpan } from "./end-span.js";

const instrumented = new WeakSet<Redis>();

/**
 * Adds a CLIENT span per command to an ioredis client by wrapping its `sendCommand`, which
 * every command, pipeline and MULTI goes through (`db.system` "redis", `db.operation` the
 * command name, `db.namespace` the database index, `server.address`/`port`; arguments, keys
 * included, are never recorded). A command queued while disconnected is sent again later
 * through the same method; it still gets one span, measured from the first call. Spans start
 * only inside a trace, as for SQL. Instrumenting a client twice changes nothing; clients made
 * by `client.duplicate()` are not instrumented.
 */
export function instrumentRedis(tracer: Tracer, client: Redis): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  const { host, port, db } = client.options;
  const base: Attributes = { "db.system.name": "redis", "db.system": "redis", "db.namespace": String(db ?? 0) };
  if (host !== undefined) Object.assign(base, { "server.address": host, "server.port": port ?? 6379 });
  const seen = new WeakSet<Command>();
  const send = client.sendCommand;
  client.sendCommand = function tracedSendCommand(this: Redis, ...args: Parameters<Redis["sendCommand"]>) {
    const [command] = args;
    if (!seen.has(command)) {
      seen.add(command);
      traceCommand(tracer, command, base);
    }
    return send.apply(this, args);
  };
}

function traceCommand(tracer: Tracer, command: Command, base: Attributes): void {
  const parent = context.active();
  const parentIds = trace.getSpanContext(parent);
  if (!parentIds || !isSpanContextValid(parentIds)) return;
  const operation = command.name.toUpperCase();
  const attributes = { ...base, "db.operation.name": operation, "db.operation": operation };
  const span = tracer.startSpan(operation, { kind: SpanKind.CLIENT, attributes }, parent);
  if (!span.isRecording()) return;
  command.promise.then(
    () => span.end(),
    (err: unknown) => {
      span.setAttribute("error.type", err instanceof Error ? err.name : "Error");
      endSpan(span, err);
    },
  );
}
