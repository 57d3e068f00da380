const pattern = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Checks a function name or cache namespace before it becomes part of a Redis key: lower case,
 * starting with a letter, at most 63 characters, and without `:` or `.`, which separate key parts,
 * so no two names can produce overlapping keys. Throws a `TypeError`: a bad name is a programming
 * error, not a request failure.
 *
 * @internal
 */
export function validateKeyPart(what: string, value: string): string {
  if (!pattern.test(value)) {
    throw new TypeError(`invalid ${what} "${value}": use 1-63 of a-z, 0-9, '_' or '-', starting with a letter`);
  }
  return value;
}
