import { parseArgs } from "node:util";
import { UsageError } from "./usage-error.js";

/** What `npm run new -- <name> [--description "…"]` was asked. */
export interface NewFunctionArgs {
  /** The function's name, not yet validated. */
  readonly name: string;
  /** `--description`, not yet validated; undefined when not given. */
  readonly description: string | undefined;
  /** `--help` or `-h`: print the usage and do nothing else. */
  readonly help: boolean;
}

/** The usage line the CLI prints with every input error. */
export const newFunctionUsage = 'usage: npm run new -- <name> [--description "what it owns"]';

/**
 * Parses the CLI's arguments (after `--`). Exactly one name; unknown options and extra
 * arguments are a `UsageError`.
 *
 * @example
 * parseNewFunctionArgs(["greeter", "--description", "greetings"]); // { name: "greeter", description: "greetings", help: false }
 */
export function parseNewFunctionArgs(argv: readonly string[]): NewFunctionArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { description: { type: "string", short: "d" }, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const help = parsed.values.help ?? false;
  if (help) return { name: "", description: undefined, help };
  const [name, ...extra] = parsed.positionals;
  if (name === undefined) throw new UsageError("give the new function's name, such as: npm run new -- order-history");
  if (extra.length > 0) throw new UsageError(`one name at a time: got ${[name, ...extra].map((a) => `"${a}"`).join(", ")} (quote a description with spaces)`);
  return { name, description: parsed.values.description, help };
}
