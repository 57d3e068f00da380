import { Code, ConnectError } from "@connectrpc/connect";
import type { Sql, TransactionSql } from "postgres";
import { scramSha256Verifier } from "./scram-sha-256-verifier.js";
import { validateSchemaName } from "./validate-schema-name.js";

export interface ProvisionSchemaOptions {
  /** The function's name: its role and schema. Required. */
  name: string;
  /** Password of the role. Default none: the role can log in only where `pg_hba.conf` trusts it. */
  password?: string | undefined;
}

/** Serialises provisioning within one database; roles are cluster-wide, so races across databases are retried. */
const lockKey = "kinetic.provision";
const attempts = 5;

/**
 * Gives a function its identity in the current database, idempotently: a login role with no
 * other rights, a schema of the same name it owns and searches by default, and CONNECT on the
 * database, after taking `public` and the database away from PUBLIC, so a function sees only its
 * own schema. Used when DATABASE_PROVISION=auto; `describeProvisioning` documents the same steps
 * for production. `admin` must be a superuser connection.
 *
 * @example
 * await provisionSchema(admin, { name: "identity", password: config.DATABASE_ROLE_PASSWORD });
 */
export async function provisionSchema(admin: Sql, { name, password }: ProvisionSchemaOptions): Promise<void> {
  validateSchemaName(name);
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.begin((tx) => provisionIn(tx, name, password));
      return;
    } catch (err) {
      if (attempt >= attempts || !isCatalogRace(err)) throw err;
    }
  }
}

async function provisionIn(tx: TransactionSql, name: string, password: string | undefined): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext(${lockKey}))`;
  const [role] = await tx<{ unsafe: boolean }[]>`
    select rolsuper or rolname = current_user as unsafe from pg_roles where rolname = ${name}`;
  if (role?.unsafe) {
    throw new ConnectError(`role "${name}" is a superuser or the administrator itself; refusing to provision it`, Code.FailedPrecondition);
  }
  if (!role) {
    await tx.savepoint((sp) => sp`create role ${sp(name)}`).catch((err: unknown) => {
      if (!hasCode(err, "42710", "23505")) throw err; // created meanwhile from another database
    });
  }
  await tx`alter role ${tx(name)} login nosuperuser nocreatedb nocreaterole noinherit`;
  if (password === undefined) {
    await tx`alter role ${tx(name)} password null`;
  } else {
    // DDL takes no parameters: the verifier travels as a transaction-local setting and is quoted by format().
    await tx`select set_config('kinetic.provision_role', ${name}, true), set_config('kinetic.provision_verifier', ${scramSha256Verifier(password)}, true)`;
    await tx`do $$ begin
      execute format('alter role %I password %L', current_setting('kinetic.provision_role'), current_setting('kinetic.provision_verifier'));
    end $$`;
  }
  await tx`create schema if not exists ${tx(name)} authorization ${tx(name)}`;
  await tx`alter schema ${tx(name)} owner to ${tx(name)}`;
  const [{ database }] = await tx<[{ database: string }]>`select current_database() as database`;
  await tx`alter role ${tx(name)} in database ${tx(database)} set search_path = ${tx(name)}`;
  await tx`revoke all on schema public from public`;
  await tx`revoke all on database ${tx(database)} from public`;
  await tx`grant connect on database ${tx(database)} to ${tx(name)}`;
}

function hasCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes(String((err as { code?: unknown }).code));
}

/** Two databases provisioning the same cluster-wide role at once collide on pg_authid. */
function isCatalogRace(err: unknown): boolean {
  return hasCode(err, "42710", "23505", "40P01") || (hasCode(err, "XX000") && /concurrently/.test((err as Error).message));
}
