import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../testing/use-database.js";
import { scramSha256Verifier } from "./scram-sha-256-verifier.js";

describe("scramSha256Verifier", () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  before(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => undefined });
  });
  after(async () => {
    await sql.end();
    await db.drop();
  });

  it("should compute the verifier Postgres computes for the same password and salt", async () => {
    const role = `kinetic_scram_${randomBytes(4).toString("hex")}`;
    const stored = await sql.begin(async (tx) => {
      await tx`set local password_encryption = 'scram-sha-256'`;
      await tx`create role ${tx(role)}`;
      await tx.unsafe(`alter role "${role}" password 'correct horse ✓'`);
      const [row] = await tx<{ rolpassword: string }[]>`select rolpassword from pg_authid where rolname = ${role}`;
      await tx`drop role ${tx(role)}`;
      return row?.rolpassword ?? "";
    });
    const salt = Buffer.from(stored.split("$")[1]?.split(":")[1] ?? "", "base64");
    assert.equal(scramSha256Verifier("correct horse ✓", salt), stored);
  });

  it("should salt every verifier differently", () => {
    assert.notEqual(scramSha256Verifier("same"), scramSha256Verifier("same"));
  });
});
