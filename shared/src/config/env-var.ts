/**
 * Typed, validated environment variables. A function or the runtime declares what it reads;
 * `readEnv` checks everything at start and reports every problem at once, naming the variable
 * and what was expected, so a misconfigured container fails on its first line of output.
 */
export interface EnvVar<T> {
  /** What the variable holds, for error messages ("an integer between 1 and 65535"). */
  readonly expected: string;
  /** Value when unset or empty; `undefined` makes the variable required unless `optional`. */
  readonly defaultValue: T | undefined;
  /** When true, an unset variable reads as `undefined` instead of an error. Default false. */
  readonly optional?: boolean;
  /** Parses a raw value; returns `undefined` when it is malformed. */
  readonly parse: (raw: string) => T | undefined;
}

/** Thrown by `readEnv` with one line per variable that was missing or malformed. */
export class EnvError extends Error {
  override name = "EnvError";
  constructor(readonly problems: readonly string[]) {
    super(`invalid environment: ${problems.join("; ")}`);
  }
}

export type EnvValues<S extends Record<string, EnvVar<unknown>>> = { readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

/** Reads and validates every variable in `schema` from `env`, throwing `EnvError` on problems. */
export function readEnv<S extends Record<string, EnvVar<unknown>>>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): EnvValues<S> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(schema)) {
    const raw = env[name];
    if (raw === undefined || raw === "") {
      if (variable.defaultValue === undefined && variable.optional !== true) {
        problems.push(`${name} is required: set it to ${variable.expected}`);
      }
      values[name] = variable.defaultValue;
      continue;
    }
    const parsed = variable.parse(raw);
    if (parsed === undefined) problems.push(`${name} must be ${variable.expected}, got ${JSON.stringify(raw)}`);
    values[name] = parsed;
  }
  if (problems.length > 0) throw new EnvError(problems);
  return values as EnvValues<S>;
}

/** Any non-empty string. */
export function stringVar(defaultValue?: string): EnvVar<string> {
  return { expected: "a non-empty string", defaultValue, parse: (raw) => raw };
}

/** An optional string: unset reads as `undefined` without an error. */
export function optionalStringVar(): EnvVar<string | undefined> {
  return { expected: "a string", defaultValue: undefined, optional: true, parse: (raw) => raw };
}

/** An integer in [min, max]. */
export function integerVar(defaultValue: number | undefined, min: number, max: number): EnvVar<number> {
  return {
    expected: `an integer between ${min} and ${max}`,
    defaultValue,
    parse(raw) {
      if (!/^-?\d+$/.test(raw.trim())) return undefined;
      const value = Number(raw);
      return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
    },
  };
}

/** One of a fixed set of words. */
export function enumVar<const T extends string>(defaultValue: T | undefined, values: readonly T[]): EnvVar<T> {
  return {
    expected: `one of ${values.join(", ")}`,
    defaultValue,
    parse: (raw) => values.find((v) => v === raw.trim().toLowerCase()),
  };
}

/** An absolute URL whose scheme is one of `protocols` (e.g. ["postgres:", "postgresql:"]). */
export function urlVar(defaultValue: string | undefined, protocols: readonly string[]): EnvVar<string> {
  return {
    expected: `a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
    defaultValue,
    parse(raw) {
      try {
        return protocols.includes(new URL(raw).protocol) ? raw : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
