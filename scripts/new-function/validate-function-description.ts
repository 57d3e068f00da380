import { UsageError } from "./usage-error.js";

/** The description when `--description` is not given: what the scaffolded code does. */
export function defaultDescription(): string {
  return "greetings, counted per name";
}

/**
 * Checks a `--description`: one line of at most 200 characters on what the function owns. It
 * lands in a proto comment, a JSDoc block, package.json and the declaration, so a line break or
 * the end of a comment is refused rather than escaped four ways. Returns it trimmed, without a
 * final period.
 */
export function validateFunctionDescription(description: string): string {
  const line = description.trim().replace(/\.+$/, "");
  if (line === "") throw new UsageError('--description is empty: say in a few words what the function owns, such as "orders and their lines"');
  if (/[\r\n]/.test(line)) throw new UsageError("--description must be one line");
  if (line.includes("*/")) throw new UsageError('--description must not contain "*/" (it goes into a comment)');
  if (line.length > 200) throw new UsageError(`--description has ${line.length} characters; keep it to one line of at most 200`);
  return line;
}
