import { Code, ConnectError } from "@connectrpc/connect";
import type { ReservedSql, Sql } from "postgres";
import type { Logger } from "../log/logger.js";
import { connectErrorFromPostgres } from "./connect-error-from-postgres.js";
import { readMigrations, type Migration } from "./read-migrations.js";
import { validateSchemaName } from "./validate-schema-name.js";

export interface RunMigrationsOptions {
  /** The schema migrations build; `<schema>.kinetic_migrations` records them. Required. */
  schema: string;
  /** Folder of `NNNN_<what>.sql` files. Required; a missing or empty folder has nothing to apply. */
  directory: URL;
  /** Receives a line per applied migration. Default: nothing is logged. */
  log?: Logger | undefined;
}

/**
 * Applies the migrations of `directory` not yet recorded in `<schema>.kinetic_migrations`, in
 * order, each in its own transaction with `search_path` set to the schema. Forward-only: a file
 * changed after it was applied is refused. Instances cold-starting together serialise on a
 * session advisory lock; the later ones wait, then find nothing left to do. Where that lock
 * excludes nothing (PGlite, one session behind every connection, whose transactions run one at
 * a time), each migration's transaction first checks that no other instance recorded it.
 *
 * @example
 * const { applied } = await runMigrations(sql, { schema: "identity", directory: new URL("../migrations/", import.meta.url) });
 */
export async function runMigrations(sql: Sql, { schema, directory, log }: RunMigrationsOptions): Promise<{ applied: string[] }> {
  validateSchemaName(schema);
  const migrations = await readMigrations(directory);
  if (migrations.length === 0) return { applied: [] };
  // Everything runs on the connection holding the lock: with DATABASE_POOL_MAX=1, sql.begin would wait for it forever.
  const conn = await sql.reserve();
  try {
    await conn`select pg_advisory_lock(hashtext('kinetic.migrations.' || ${schema}))`;
    try {
      return { applied: await applyPending(conn, schema, migrations, log) };
    } finally {
      // A broken connection has already released its lock.
      await conn`select pg_advisory_unlock(hashtext('kinetic.migrations.' || ${schema}))`.catch(() => undefined);
    }
  } finally {
    conn.release();
  }
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

async function applyPending(conn: ReservedSql, schema: string, migrations: Migration[], log: Logger | undefined): Promise<string[]> {
  const table = conn`${conn(schema)}.kinetic_migrations`;
  await conn`create table if not exists ${table} (
    version int primary key, name text not null, checksum text not null, applied_at timestamptz not null default now())`;
  const rows = await conn<AppliedRow[]>`select version, name, checksum from ${table} order by version`;
  const recorded = new Map(rows.map((row) => [row.version, row]));
  for (const migration of migrations) {
    const row = recorded.get(migration.version);
    if (row && (row.checksum !== migration.checksum || row.name !== migration.name)) {
      throw new ConnectError(
        `migration ${migration.name} differs from the applied ${row.name}: migrations are forward-only, add a new one`,
        Code.FailedPrecondition,
      );
    }
  }
  const unknown = rows.filter((row) => row.version > migrations.length).map((row) => row.name);
  if (unknown.length > 0) log?.warn("database has migrations this build does not know", { schema, migrations: unknown });
  const applied: string[] = [];
  for (const migration of migrations.filter(({ version }) => !recorded.has(version))) {
    const started = performance.now();
    await conn`begin`;
    try {
      // Where the advisory lock excludes nothing (PGlite: one session behind every connection),
      // another instance may have applied it since the read above; its transaction is over now.
      const [meanwhile] = await conn`select 1 from ${table} where version = ${migration.version}`;
      if (meanwhile) {
        await conn`commit`;
        continue;
      }
      await conn`set local search_path to ${conn(schema)}`;
      await conn.unsafe(migration.text);
      await conn`insert into ${table} (version, name, checksum) values (${migration.version}, ${migration.name}, ${migration.checksum})`;
      await conn`commit`;
    } catch (err) {
      await conn`rollback`.catch(() => undefined);
      throw migrationError(migration, err);
    }
    log?.info("migration applied", { schema, migration: migration.name, ms: Math.round(performance.now() - started) });
    applied.push(migration.name);
  }
  return applied;
}

/** File SQL has no parameters, so the server's message is safe to repeat, with the line it points at. */
function migrationError(migration: Migration, err: unknown): ConnectError {
  const mapped = connectErrorFromPostgres(err);
  const position = Number((err as { position?: unknown }).position);
  const line = position > 0 ? ` (line ${migration.text.slice(0, position - 1).split("\n").length})` : "";
  const reason = err instanceof Error && err.name === "PostgresError" ? err.message : mapped.rawMessage;
  return new ConnectError(`migration ${migration.name} failed${line}: ${reason}`, mapped.code, undefined, undefined, err);
}
