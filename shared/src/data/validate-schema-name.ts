const pattern = /^[a-z][a-z0-9_-]{0,62}$/;
const reserved = new Set(["public", "postgres", "information_schema"]);

/**
 * Checks that a function's name can be its Postgres role and schema: lower case, starting with a
 * letter, at most 63 characters (Postgres' identifier limit), and not a name Postgres reserves.
 * Throws a `TypeError` otherwise: a bad name is a programming error, not a request failure.
 */
export function validateSchemaName(name: string): string {
  if (!pattern.test(name)) {
    throw new TypeError(`invalid schema name "${name}": use 1-63 of a-z, 0-9, '_' or '-', starting with a letter`);
  }
  if (reserved.has(name) || name.startsWith("pg_")) {
    throw new TypeError(`invalid schema name "${name}": the name is reserved by Postgres`);
  }
  return name;
}
