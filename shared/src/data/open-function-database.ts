import { ConnectError } from "@connectrpc/connect";
import postgres, { type Sql } from "postgres";
import type { RuntimeConfig } from "../config/runtime-config.js";
import type { Logger } from "../log/logger.js";
import { connectErrorFromPostgres } from "./connect-error-from-postgres.js";
import { ensureDatabase } from "./ensure-database.js";
import { provisionSchema } from "./provision-schema.js";
import { runMigrations } from "./run-migrations.js";
import { validateSchemaName } from "./validate-schema-name.js";

/** A function's connection pool, logged in as its own role with its schema first on the search path. */
export interface FunctionDatabase {
  readonly sql: Sql;
  /** Ends the pool; queries still running after `timeoutSeconds` (default 5) are cancelled. */
  close(timeoutSeconds?: number): Promise<void>;
}

export interface OpenFunctionDatabaseOptions {
  /** The function's name: its Postgres role and schema. Required. */
  name: string;
  /** DATABASE_URL, DATABASE_PROVISION, DATABASE_ROLE_PASSWORD and DATABASE_POOL_MAX are read. Required. */
  config: RuntimeConfig;
  /** Folder of `NNNN_<what>.sql` migrations to apply. Default: none are run. */
  migrations?: URL | undefined;
  /** Receives progress and Postgres notices (at debug). Required. */
  log: Logger;
}

/**
 * Opens the database of a function as the runtime does at start. With DATABASE_PROVISION=auto,
 * DATABASE_URL is an administrator: the database, role and schema are created first, and the
 * pool logs in as the function's role. With `off`, DATABASE_URL already is that role. Then the
 * migrations run and the pool is checked to resolve names in the function's own schema.
 * A failure names the step that failed.
 *
 * @example
 * const db = await openFunctionDatabase({ name: "identity", config, migrations, log });
 * const users = await db.sql`select * from users`;
 */
export async function openFunctionDatabase({ name, config, migrations, log }: OpenFunctionDatabaseOptions): Promise<FunctionDatabase> {
  validateSchemaName(name);
  const url = new URL(config.DATABASE_URL);
  if (config.DATABASE_PROVISION === "auto") {
    const admin = postgres(url.href, { max: 1, connect_timeout: 10, onnotice: () => undefined });
    try {
      await step(`creating database ${url.pathname.slice(1)}`, async () => {
        await admin`select 1`.catch((err: unknown) => {
          if ((err as { code?: unknown }).code !== "3D000") throw err; // 3D000: no such database
          return ensureDatabase(url.href);
        });
      });
      await step(`provisioning schema ${name}`, () => provisionSchema(admin, { name, password: config.DATABASE_ROLE_PASSWORD }));
    } finally {
      await admin.end({ timeout: 5 });
    }
    url.username = encodeURIComponent(name);
    url.password = encodeURIComponent(config.DATABASE_ROLE_PASSWORD ?? "");
  }
  const sql = postgres(url.href, {
    max: config.DATABASE_POOL_MAX,
    idle_timeout: 30,
    connect_timeout: 10,
    prepare: true,
    connection: { application_name: name, search_path: `"${name}"` },
    onnotice: (notice) => log.debug("postgres notice", { severity: notice["severity"], notice: notice["message"] }),
  });
  try {
    await step(`connecting as ${name}`, async () => {
      const [{ schema }] = await sql<[{ schema: string | null }]>`select current_schema() as schema`;
      if (schema !== name) {
        throw new Error(`current schema is ${schema ?? "none"} instead of ${name}: check the role's search_path and its rights on the schema`);
      }
    });
    if (migrations) {
      const { applied } = await step(`migrating schema ${name}`, () => runMigrations(sql, { schema: name, directory: migrations, log }));
      log.info("database ready", { schema: name, applied });
    }
  } catch (err) {
    await sql.end({ timeout: 0 });
    throw err;
  }
  return { sql, close: (timeoutSeconds = 5) => sql.end({ timeout: timeoutSeconds }) };
}

/** Runs one start-up step; a failure keeps the mapped code and says which step it was. */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const mapped = connectErrorFromPostgres(err);
    const reason = err instanceof ConnectError ? err.rawMessage : err instanceof Error ? err.message : mapped.rawMessage;
    throw new ConnectError(`${what} failed: ${reason}`, mapped.code, undefined, undefined, err);
  }
}
