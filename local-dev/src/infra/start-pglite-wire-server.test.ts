import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { waitFor } from "@kinetic/runtime/testing";
import postgres from "postgres";
// The runtime's own migration runner, from source: what it does on PGlite is the point here.
import { runMigrations } from "../../../shared/src/data/run-migrations.js";
import { startPgliteWireServer, type PgliteWireServer } from "./start-pglite-wire-server.js";

describe("startPgliteWireServer", () => {
  let db: PGlite;
  let server: PgliteWireServer;
  let url: string;
  const pools: postgres.Sql[] = [];
  const pool = (max = 4) => {
    const sql = postgres(url, { max, onnotice: () => undefined });
    pools.push(sql);
    return sql;
  };

  before(async () => {
    db = await PGlite.create({ dataDir: "memory://" });
    server = await startPgliteWireServer(db);
    url = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
    await db.exec("create table things (id int primary key, name text)");
  });
  after(async () => {
    await Promise.all(pools.map((sql) => sql.end({ timeout: 1 })));
    await server.close();
    await db.close();
  });

  it("should answer many connections at once, each with its own results", async () => {
    const sql = pool(10);
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => sql<[{ v: number; s: string }]>`select ${i}::int as v, ${"x".repeat(i * 10)} as s`));
    results.forEach(([row], i) => assert.deepEqual(row, { v: i, s: "x".repeat(i * 10) }));
  });

  it("should keep one connection's errors from disturbing the others", async () => {
    const sql = pool(8);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? sql`select * from missing_table_${sql.unsafe(String(i))}` : sql<[{ v: number }]>`select ${i}::int as v`)),
    );
    outcomes.forEach((outcome, i) => {
      if (i % 3 === 0) assert.equal(outcome.status, "rejected");
      else assert.deepEqual(outcome.status === "fulfilled" && outcome.value[0], { v: i });
    });
  });

  it("should give a transaction the session until it ends, the others waiting", async () => {
    const [writer, reader] = [pool(1), pool(1)];
    await reader`select 1`; // connected, so its next query reaches the server at once
    let read: Promise<{ name: string }[]> | undefined;
    await writer.begin(async (tx) => {
      await tx`insert into things values (1, 'uncommitted')`;
      read = reader<{ name: string }[]>`select name from things where id = 1`.execute();
      await new Promise((resolve) => setTimeout(resolve, 200)); // time enough for the read to run here, were it let in
      await tx`update things set name = 'committed' where id = 1`;
    });
    assert.deepEqual((await read!).map((r) => r.name), ["committed"], "the read waited for the commit");
  });

  it("should roll back the transaction of a connection that goes away, and carry on", async () => {
    const lost = pool(1);
    const conn = await lost.reserve();
    await conn`begin`;
    await conn`insert into things values (2, 'never')`;
    await lost.end({ timeout: 0 });
    const [row] = await pool(1)`select count(*)::int as n from things where id = 2`;
    assert.equal(row!["n"], 0);
  });

  it("should deliver NOTIFY to the connection that LISTENs, not to the one that committed", async () => {
    const sql = pool(2);
    const received: string[] = [];
    const listener = await sql.listen("wire_test", (payload) => received.push(payload));
    await sql.begin((t) => t`select pg_notify('wire_test', 'one')`);
    await pool(1)`select pg_notify('wire_test', 'two')`;
    await waitFor(async () => (received.length === 2 ? received : undefined), 5000, "both notifications");
    assert.deepEqual(received, ["one", "two"]);
    await listener.unlisten();
  });

  it("should keep notifying a listener when another connection UNLISTENs the same channel", async () => {
    const [a, b] = [pool(1), pool(1)];
    const received: string[] = [];
    await a.listen("shared_channel", (payload) => received.push(payload));
    const other = await b.listen("shared_channel", () => undefined);
    await other.unlisten();
    await pool(1)`select pg_notify('shared_channel', 'still')`;
    await waitFor(async () => (received.length === 1 ? received : undefined), 5000, "the notification after the other's UNLISTEN");
  });

  it("should close the prepared statements of a connection that goes away", async () => {
    const count = async () => Number((await db.query<{ n: number }>("select count(*)::int as n from pg_prepared_statements")).rows[0]!.n);
    const before = await count();
    const sql = postgres(url, { max: 2, prepare: true, onnotice: () => undefined });
    await Promise.all([sql`select ${1}::int as a`, sql`select ${"b"}::text as b, 2 as c`]);
    assert.ok((await count()) > before);
    await sql.end({ timeout: 1 });
    await waitFor(async () => ((await count()) === before ? true : undefined), 5000, "the statements closed");
  });

  it("should let the runtime's migrations run from several pools at once, each applied once", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kinetic-wire-migrations-"));
    try {
      await writeFile(join(dir, "0001_first.sql"), "create table first (id int);");
      await writeFile(join(dir, "0002_second.sql"), "create table second (id int);");
      await db.exec("create schema if not exists racing");
      const runs = await Promise.all([pool(2), pool(2), pool(2)].map((sql) => runMigrations(sql, { schema: "racing", directory: pathToFileURL(`${dir}/`) })));
      assert.deepEqual(runs.flatMap((r) => r.applied).sort(), ["0001_first.sql", "0002_second.sql"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
