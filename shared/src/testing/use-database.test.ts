import assert from "node:assert/strict";
import { describe, it } from "node:test";
import postgres from "postgres";
import { createTestDatabase, useDatabase } from "./use-database.js";

const exists = async (url: string, name: string) => {
  const admin = postgres(url.replace(name, "postgres"), { max: 1 });
  try {
    return (await admin`select 1 from pg_database where datname = ${name}`).length === 1;
  } finally {
    await admin.end();
  }
};

describe("createTestDatabase", () => {
  it("should create an empty database and drop it even while connected", async () => {
    const db = await createTestDatabase();
    assert.match(db.name, /^kinetic_test_[0-9a-f]{12}$/);
    const sql = postgres(db.url, { max: 1 });
    const [row] = await sql`select current_database() as name`;
    assert.equal(row?.["name"], db.name);
    await db.drop();
    await sql.end();
    assert.equal(await exists(db.url, db.name), false);
  });
});

describe("useDatabase", () => {
  const db = useDatabase();

  it("should give a URL while the suite runs", async () => {
    const sql = postgres(db.url, { max: 1 });
    try {
      assert.equal((await sql`select 1 as one`)[0]?.["one"], 1);
    } finally {
      await sql.end();
    }
  });
});
