import { Code, ConnectError } from "@connectrpc/connect";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { readRuntimeConfig } from "../config/runtime-config.js";
import { createLogger } from "../log/logger.js";
import { createTestDatabase, type TestDatabase } from "../testing/use-database.js";
import { connectErrorFromPostgres } from "./connect-error-from-postgres.js";
import { openFunctionDatabase, type FunctionDatabase } from "./open-function-database.js";

const log = createLogger({ level: "error", write: () => undefined });

/** The error `run` fails with, mapped as a handler would. */
async function failure(run: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await run();
  } catch (err) {
    return connectErrorFromPostgres(err);
  }
  assert.fail("expected the statement to fail");
}

describe("openFunctionDatabase", () => {
  let db: TestDatabase;
  let migrations: URL;
  const opened: FunctionDatabase[] = [];
  const open = async (name: string, env: Record<string, string> = {}, withMigrations = true) => {
    const config = readRuntimeConfig({ DATABASE_URL: db.url, DATABASE_POOL_MAX: "2", ...env });
    const database = await openFunctionDatabase({ name, config, log, ...(withMigrations ? { migrations } : {}) });
    opened.push(database);
    return database;
  };
  before(async () => {
    db = await createTestDatabase();
    const path = await mkdtemp(join(tmpdir(), "kinetic-open-"));
    await writeFile(join(path, "0001_things.sql"), "create table things (id int primary key, note text);\ninsert into things values (1, current_user);\n");
    migrations = pathToFileURL(`${path}/`);
  });
  after(async () => {
    await Promise.all(opened.map((database) => database.close(0)));
    await db.drop();
    await rm(migrations, { recursive: true, force: true });
  });

  it("should provision, then migrate and connect as the function's own role and schema", async () => {
    const { sql } = await open("alpha");
    const [row] = await sql`select current_user as "user", current_schema() as schema, current_setting('application_name') as app`;
    assert.deepEqual({ ...row }, { user: "alpha", schema: "alpha", app: "alpha" });
    assert.deepEqual([...(await sql`select id, note from things`)], [{ id: 1, note: "alpha" }]);
  });

  it("should keep each function out of other schemas and out of public", async () => {
    const alpha = (await open("alpha")).sql;
    const beta = (await open("beta")).sql;
    await beta`insert into things values (2, 'beta only')`;
    for (const attempt of [
      () => alpha`select * from beta.things`,
      () => alpha`insert into beta.things values (3, 'intruder')`,
      () => alpha`select * from beta.kinetic_migrations`,
      () => alpha`create table public.leak (n int)`,
      () => alpha`create schema gamma`,
    ]) {
      const err = await failure(attempt);
      assert.equal(err.code, Code.PermissionDenied, err.message);
    }
    assert.deepEqual([...(await beta`select id from things order by id`)], [{ id: 1 }, { id: 2 }]);
  });

  it("should let two instances of a function start together", async () => {
    const [first, second] = await Promise.all([open("gamma"), open("gamma")]);
    const [{ rows }] = await first.sql<[{ rows: number }]>`select count(*)::int as rows from things`;
    assert.equal(rows, 1);
    assert.deepEqual([...(await second.sql`select version from kinetic_migrations`)], [{ version: 1 }]);
  });

  it("should create the database when it does not exist", async () => {
    const fresh = await createTestDatabase();
    await fresh.drop();
    try {
      const config = readRuntimeConfig({ DATABASE_URL: fresh.url });
      const database = await openFunctionDatabase({ name: "delta", config, log });
      const [row] = await database.sql`select current_database() as name`;
      await database.close();
      assert.equal(row?.["name"], fresh.name);
    } finally {
      await fresh.drop();
    }
  });

  it("should use DATABASE_URL as-is when provisioning is off", async () => {
    await open("alpha");
    const url = new URL(db.url);
    url.username = "alpha";
    const { sql } = await open("alpha", { DATABASE_URL: url.href, DATABASE_PROVISION: "off" }, false);
    const [row] = await sql`select current_user as "user", current_schema() as schema`;
    assert.deepEqual({ ...row }, { user: "alpha", schema: "alpha" });
  });

  it("should refuse a connection whose schema is not the function's", async () => {
    await assert.rejects(open("ghost", { DATABASE_PROVISION: "off" }), (err) => {
      assert.ok(err instanceof ConnectError);
      assert.equal(err.code, Code.Internal);
      assert.equal(err.rawMessage, "connecting as ghost failed: current schema is none instead of ghost: check the role's search_path and its rights on the schema");
      return true;
    });
  });

  it("should name the step that failed when the database is unreachable", async () => {
    const server = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const config = readRuntimeConfig({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/kinetic` });
    await assert.rejects(openFunctionDatabase({ name: "alpha", config, log }), (err) => {
      assert.ok(err instanceof ConnectError);
      assert.equal(err.code, Code.Unavailable);
      assert.match(err.rawMessage, /^creating database kinetic failed: .*ECONNREFUSED/);
      return true;
    });
  });

  it("should reject an unsafe function name before connecting", async () => {
    await assert.rejects(open("Alpha; drop"), TypeError);
  });
});
