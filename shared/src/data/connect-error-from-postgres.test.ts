import { Code, ConnectError } from "@connectrpc/connect";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../testing/use-database.js";
import { connectErrorFromPostgres } from "./connect-error-from-postgres.js";

/** Runs a statement that must fail and maps its error. */
async function failure(run: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await run();
  } catch (err) {
    const mapped = connectErrorFromPostgres(err);
    assert.equal(mapped.cause, err);
    return mapped;
  }
  assert.fail("expected the statement to fail");
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("connectErrorFromPostgres", () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  before(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 2, onnotice: () => undefined });
    await sql`create table users (id uuid primary key default gen_random_uuid(), email text not null unique, nick varchar(3), age int check (age >= 0))`;
    await sql`create table orders (user_id uuid not null references users)`;
    await sql`insert into users (email) values ('taken@example.com')`;
  });
  after(async () => {
    await sql.end();
    await db.drop();
  });

  const cases: { name: string; run: () => Promise<unknown>; code: Code; message: string | RegExp }[] = [
    { name: "a unique violation", run: () => sql`insert into users (email) values (${"taken@example.com"})`, code: Code.AlreadyExists, message: "already exists (users_email_key)" },
    { name: "a missing foreign row", run: () => sql`insert into orders values (gen_random_uuid())`, code: Code.FailedPrecondition, message: /\(orders_user_id_fkey\)$/ },
    { name: "a not-null violation", run: () => sql`insert into users (email) values (${null})`, code: Code.InvalidArgument, message: "missing required value for column users.email" },
    { name: "a check violation", run: () => sql`insert into users (email, age) values ('a@b.c', ${-1})`, code: Code.InvalidArgument, message: "value violates a check (users_age_check)" },
    { name: "bad uuid text", run: () => sql`select * from users where id = ${"secret-password"}`, code: Code.InvalidArgument, message: "value is not valid input for its type" },
    { name: "a too long string", run: () => sql`insert into users (email, nick) values ('n@b.c', ${"secret-password"})`, code: Code.InvalidArgument, message: "value is too long" },
    { name: "a number out of range", run: () => sql`select ${"99999999999"}::int`, code: Code.InvalidArgument, message: "numeric value is out of range" },
    { name: "a malformed date", run: () => sql`select ${"secret-password"}::text::date`, code: Code.InvalidArgument, message: "invalid date or time format" },
    { name: "a date out of range", run: () => sql`select ${"2024-13-45"}::text::date`, code: Code.InvalidArgument, message: "date or time value is out of range" },
    { name: "a permission denied", run: () => sql.begin((tx) => [tx`set local role pg_monitor`, tx`select * from users`]), code: Code.PermissionDenied, message: "permission denied for table users" },
    { name: "a statement timeout", run: () => sql.begin((tx) => [tx`set local statement_timeout = 50`, tx`select pg_sleep(2)`]), code: Code.DeadlineExceeded, message: "statement timed out" },
    { name: "an undefined table", run: () => sql`select * from missing_table`, code: Code.Internal, message: /^database schema is out of date: relation "missing_table" does not exist$/ },
    { name: "a syntax error", run: () => sql`selec 1`, code: Code.Internal, message: "unexpected database error (sqlstate 42601)" },
  ];
  for (const { name, run, code, message } of cases) {
    it(`should map ${name} to ${Code[code]}`, async () => {
      const err = await failure(run);
      assert.equal(err.code, code);
      if (typeof message === "string") assert.equal(err.rawMessage, message);
      else assert.match(err.rawMessage, message);
      assert.doesNotMatch(err.message, /secret|taken@/);
    });
  }

  it("should map a cancelled statement to DeadlineExceeded", async () => {
    const query = sql`select pg_sleep(5)`;
    setTimeout(() => void query.cancel(), 100);
    const err = await failure(() => query);
    assert.equal(err.code, Code.DeadlineExceeded);
    assert.equal(err.rawMessage, "statement was canceled");
  });

  it("should map a refused connection to Unavailable", async () => {
    const unreachable = postgres(`postgres://postgres@127.0.0.1:${await closedPort()}/x`, { max: 1, connect_timeout: 2 });
    try {
      const err = await failure(() => unreachable`select 1`);
      assert.equal(err.code, Code.Unavailable);
      assert.equal(err.rawMessage, "database is unreachable (econnrefused)");
    } finally {
      await unreachable.end();
    }
  });

  it("should map server states it cannot easily provoke", () => {
    const table: [string, Code][] = [
      ["40001", Code.Aborted], ["40P01", Code.Aborted], ["53300", Code.ResourceExhausted], ["53200", Code.ResourceExhausted],
      ["57P01", Code.Unavailable], ["57P03", Code.Unavailable], ["08006", Code.Unavailable], ["XX000", Code.Internal],
    ];
    for (const [sqlState, code] of table) {
      const err = new postgres.PostgresError({ message: "server text", code: sqlState } as never);
      assert.equal(connectErrorFromPostgres(err).code, code, sqlState);
    }
  });

  it("should map driver and socket errors", () => {
    for (const code of ["ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED"]) {
      assert.equal(connectErrorFromPostgres(Object.assign(new Error("x"), { code })).code, Code.Unavailable, code);
    }
    const happyEyeballs = new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]);
    assert.equal(connectErrorFromPostgres(happyEyeballs).code, Code.Unavailable);
    const unexpected = connectErrorFromPostgres(new TypeError("secret"));
    assert.equal(unexpected.code, Code.Internal);
    assert.equal(unexpected.rawMessage, "unexpected database error");
  });

  it("should return a ConnectError unchanged", () => {
    const err = new ConnectError("no such user", Code.NotFound);
    assert.equal(connectErrorFromPostgres(err), err);
  });
});
