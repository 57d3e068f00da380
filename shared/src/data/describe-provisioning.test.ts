import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../testing/use-database.js";
import { describeProvisioning } from "./describe-provisioning.js";

const psql = await promisify(execFile)("psql", ["--version"]).then(() => true, () => false);

describe("describeProvisioning", () => {
  const name = `kinetic-described-${randomBytes(4).toString("hex")}`;
  let db: TestDatabase;
  let folder: string;
  before(async () => {
    db = await createTestDatabase();
    folder = await mkdtemp(join(tmpdir(), "kinetic-provisioning-"));
  });
  after(async () => {
    await db.drop();
    await rm(folder, { recursive: true, force: true });
    const cluster = postgres(db.url.replace(db.name, "postgres"), { max: 1 });
    await cluster`drop role if exists ${cluster(name)}`;
    await cluster.end();
  });

  it("should reject an unsafe name", () => {
    assert.throws(() => describeProvisioning('x"; drop table y; --'), TypeError);
  });

  it("should give a psql script that provisions the function", { skip: !psql && "psql is not installed" }, async () => {
    const script = join(folder, "provision.sql");
    await writeFile(script, describeProvisioning(name));
    const args = [db.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", `database=${db.name}`, "-v", "password=s3cret", "-f", script];
    await promisify(execFile)("psql", args);
    const sql = postgres(db.url, { max: 1, username: name, password: "s3cret", connection: { application_name: "test" } });
    try {
      const [row] = await sql`select current_user as "user", current_schema() as schema`;
      assert.deepEqual({ ...row }, { user: name, schema: name });
    } finally {
      await sql.end();
    }
  });
});
