import { validateSchemaName } from "./validate-schema-name.js";

/**
 * The SQL that `provisionSchema` runs, as a psql script for production, where functions run
 * with DATABASE_PROVISION=off and a DBA or a Kubernetes Job provisions each function once:
 *
 *     psql "$ADMIN_URL" -v database=kinetic -v password="$ROLE_PASSWORD" -f identity.sql
 *
 * `:'password'` and `:"database"` are psql variables. Safe to run again; the first statement
 * fails harmlessly when the role exists.
 */
export function describeProvisioning(name: string): string {
  const role = `"${validateSchemaName(name)}"`;
  return [
    `-- Identity of function ${name}: a login role with no other rights and a schema it owns.`,
    `CREATE ROLE ${role};`,
    `ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'password';`,
    `CREATE SCHEMA IF NOT EXISTS ${role} AUTHORIZATION ${role};`,
    `ALTER ROLE ${role} IN DATABASE :"database" SET search_path = ${role};`,
    `-- Functions see only their own schema: nothing in public, no database rights but CONNECT.`,
    `REVOKE ALL ON SCHEMA public FROM PUBLIC;`,
    `REVOKE ALL ON DATABASE :"database" FROM PUBLIC;`,
    `GRANT CONNECT ON DATABASE :"database" TO ${role};`,
    ``,
  ].join("\n");
}
