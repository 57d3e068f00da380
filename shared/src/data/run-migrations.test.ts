import { Code, ConnectError } from "@connectrpc/connect";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../testing/use-database.js";
import { runMigrations } from "./run-migrations.js";

/** Writes a temporary migrations folder and returns its URL. */
async function folder(files: Record<string, string>): Promise<URL> {
  const path = await mkdtemp(join(tmpdir(), "kinetic-migrations-"));
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(path, name), text)));
  return pathToFileURL(`${path}/`);
}

const isCode = (code: Code, message: RegExp) => (err: unknown) => err instanceof ConnectError && err.code === code && message.test(err.rawMessage);

describe("runMigrations", () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  const folders: URL[] = [];
  const migrations = async (files: Record<string, string>) => {
    const url = await folder(files);
    folders.push(url);
    return url;
  };
  const schema = async (name: string) => {
    await sql`create schema ${sql(name)}`;
    return name;
  };
  before(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => undefined });
  });
  after(async () => {
    await sql.end();
    await db.drop();
    await Promise.all(folders.map((url) => rm(url, { recursive: true, force: true })));
  });

  it("should apply migrations in order in the schema, record them, and do nothing the second time", async () => {
    const first = "create table things (id int primary key);\n";
    const directory = await migrations({
      "0002_add_label.sql": "alter table things add column label text;\ninsert into things values (1, 'one');\n",
      "0001_create_things.sql": first,
      "README.md": "not a migration",
    });
    const name = await schema("ordered");
    assert.deepEqual(await runMigrations(sql, { schema: name, directory }), { applied: ["0001_create_things.sql", "0002_add_label.sql"] });
    assert.deepEqual([...(await sql`select id, label from ordered.things`)], [{ id: 1, label: "one" }]);
    const records = await sql`select version, name, checksum from ordered.kinetic_migrations order by version`;
    assert.deepEqual(records.map((r) => r["name"]), ["0001_create_things.sql", "0002_add_label.sql"]);
    assert.equal(records[0]?.["checksum"], createHash("sha256").update(first).digest("hex"));
    assert.deepEqual(await runMigrations(sql, { schema: name, directory }), { applied: [] });
  });

  it("should apply each migration once when two instances start together", async () => {
    const directory = await migrations({
      "0001_slow.sql": "select pg_sleep(0.2);\ncreate table counted (n int);\n",
      "0002_count.sql": "insert into counted values (1);\n",
    });
    const name = await schema("raced");
    const pools = [postgres(db.url, { max: 1 }), postgres(db.url, { max: 1 })];
    try {
      const results = await Promise.all(pools.map((pool) => runMigrations(pool, { schema: name, directory })));
      assert.deepEqual(results.flatMap((r) => r.applied).sort(), ["0001_slow.sql", "0002_count.sql"]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
    assert.deepEqual([...(await sql`select n from raced.counted`)], [{ n: 1 }]);
  });

  it("should roll a failing migration back, not record it, and name the file and line", async () => {
    const directory = await migrations({
      "0001_ok.sql": "create table kept (n int);\n",
      "0002_broken.sql": "create table partial (n int);\n\nselec 1;\n",
    });
    const name = await schema("failing");
    await assert.rejects(runMigrations(sql, { schema: name, directory }), isCode(Code.Internal, /^migration 0002_broken\.sql failed \(line 3\): syntax error/));
    const [tables] = await sql`select to_regclass('failing.kept') is not null as kept, to_regclass('failing.partial') is not null as partial`;
    assert.deepEqual({ ...tables }, { kept: true, partial: false });
    assert.deepEqual([...(await sql`select version from failing.kinetic_migrations`)], [{ version: 1 }]);
    await writeFile(new URL("0002_broken.sql", directory), "create table partial (n int);\n");
    assert.deepEqual(await runMigrations(sql, { schema: name, directory }), { applied: ["0002_broken.sql"] });
  });

  it("should refuse a migration changed after it was applied", async () => {
    const directory = await migrations({ "0001_init.sql": "create table t (n int);\n" });
    const name = await schema("changed");
    await runMigrations(sql, { schema: name, directory });
    await writeFile(new URL("0001_init.sql", directory), "create table t (n bigint);\n");
    await assert.rejects(runMigrations(sql, { schema: name, directory }), isCode(Code.FailedPrecondition, /0001_init\.sql.*forward-only, add a new one/));
  });

  it("should reject badly named files, gaps and duplicate versions", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ "0001_init.sql": "", "2_more.sql": "" }, /"2_more\.sql" is invalid/],
      [{ "0001-init.sql": "" }, /"0001-init\.sql" is invalid/],
      [{ "0001_Init.sql": "" }, /"0001_Init\.sql" is invalid/],
      [{ "0001_init.sql": "", "0003_skip.sql": "" }, /0003_skip\.sql should be version 2/],
      [{ "0002_late.sql": "" }, /0002_late\.sql should be version 1/],
      [{ "0001_a.sql": "", "0001_b.sql": "" }, /0001_a\.sql and 0001_b\.sql have the same version/],
    ];
    for (const [files, message] of cases) {
      await assert.rejects(runMigrations(sql, { schema: "named", directory: await migrations(files) }), isCode(Code.FailedPrecondition, message));
    }
  });

  it("should do nothing for a missing or empty folder", async () => {
    const empty = await migrations({});
    assert.deepEqual(await runMigrations(sql, { schema: "nothing", directory: empty }), { applied: [] });
    assert.deepEqual(await runMigrations(sql, { schema: "nothing", directory: new URL("missing/", empty) }), { applied: [] });
  });
});
