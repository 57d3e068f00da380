/**
 * One JSON object per line on stdout, the format Knative's log collectors (and `kubectl logs |
 * jq`) expect. Fields are flat; `msg` and `level` always come first.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
  readonly level: LogLevel;
}

export interface LoggerOptions {
  /** Lowest level written. Default "info". */
  level?: LogLevel;
  /** Fields on every line, such as the function name and Knative revision. Default none. */
  base?: LogFields;
  /** Where lines go. Default `process.stdout.write`. */
  write?: (line: string) => void;
  /** Fields of the moment, read for every line: the active trace and span ids. Default none. */
  context?: () => LogFields | undefined;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Creates a JSON-lines logger.
 *
 * @example
 * const log = createLogger({ level: "info", base: { function: "identity" } });
 * log.info("listening", { port: 8080 });
 */
export function createLogger({ level = "info", base = {}, write = (line) => process.stdout.write(line), context }: LoggerOptions = {}): Logger {
  const min = rank[level];
  const emit = (lineLevel: LogLevel, msg: string, fields?: LogFields) => {
    if (rank[lineLevel] < min) return;
    write(JSON.stringify({ level: lineLevel, msg, time: new Date().toISOString(), ...base, ...context?.(), ...fields }, errorReplacer) + "\n");
  };
  return {
    level,
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => createLogger({ level, base: { ...base, ...fields }, write, ...(context ? { context } : {}) }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === "bigint") return value.toString();
  return value;
}
