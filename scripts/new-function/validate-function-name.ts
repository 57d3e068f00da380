import { reservedFunctionNames } from "./reserved-function-names.js";
import { UsageError } from "./usage-error.js";

/** `defineFunction`'s rule: a DNS-1035 label, at most 63 characters. */
const dnsLabel = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Checks that `name` can be a new function's name: a DNS-1035 label (it becomes the Knative
 * Service, the Postgres schema and role), without `--` (its proto package `kinetic.<a_b>.v1` and
 * Pascal-case names would be ambiguous), and not reserved. Throws a `UsageError` saying what is
 * wrong, with a name that would do when there is one. Does not look at the file system.
 *
 * @example
 * validateFunctionName("order-history"); // "order-history"
 * validateFunctionName("Order_History"); // throws: … try "order-history"
 */
export function validateFunctionName(name: string): string {
  const why = problemOf(name);
  if (why !== undefined) {
    const suggestion = suggestionFor(name);
    throw new UsageError(`invalid function name "${name}": ${why}${suggestion === undefined ? "" : `; try "${suggestion}"`}`);
  }
  const reserved = reservedFunctionNames.get(name);
  if (reserved !== undefined) throw new UsageError(`the function name "${name}" is reserved: ${reserved}; choose another`);
  return name;
}

function problemOf(name: string): string | undefined {
  if (name === "") return "give a name, such as order-history";
  if (name.length > 63) return `it has ${name.length} characters; a DNS-1035 label has at most 63`;
  if (/[A-Z]/.test(name)) return "use lower case";
  if (!/^[a-z]/.test(name)) return "it must start with a letter";
  if (/[^-a-z0-9]/.test(name)) return "use only lower-case letters, digits and '-' (a DNS-1035 label)";
  if (name.endsWith("-")) return "it must end with a letter or digit";
  if (name.includes("--")) return "use single hyphens between words";
  return dnsLabel.test(name) ? undefined : "it must be a DNS-1035 label";
}

/** A valid name close to `name` ("Order_History" → "order-history"), if there is one. */
function suggestionFor(name: string): string | undefined {
  const candidate = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
  return candidate !== name && problemOf(candidate) === undefined && !reservedFunctionNames.has(candidate) ? candidate : undefined;
}
