import { Code, ConnectError } from "@connectrpc/connect";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../testing/use-database.js";
import { provisionSchema } from "./provision-schema.js";

const connect = (url: string) => postgres(url, { max: 1, onnotice: () => undefined });

describe("provisionSchema", () => {
  const name = `kinetic_provision_${randomBytes(4).toString("hex")}`;
  let db: TestDatabase;
  let other: TestDatabase;
  let admin: postgres.Sql;
  before(async () => {
    [db, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    admin = connect(db.url);
  });
  after(async () => {
    await admin.end();
    await Promise.all([db.drop(), other.drop()]);
    const cluster = connect(db.url.replace(db.name, "postgres"));
    await cluster`drop role if exists ${cluster(name)}`;
    await cluster.end();
  });

  it("should create a login role with no other rights, owning a schema it searches", async () => {
    await provisionSchema(admin, { name });
    const [role] = await admin`
      select rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolpassword is null as passwordless,
        (select nspowner::regrole::text from pg_namespace where nspname = ${name}) as owner,
        (select setconfig from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase
          where s.setrole = a.oid and d.datname = current_database()) as settings
      from pg_authid a where rolname = ${name}`;
    assert.deepEqual({ ...role }, {
      rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolinherit: false,
      passwordless: true, owner: name, settings: [`search_path=${name}`],
    });
  });

  it("should give the role CONNECT on its database and nothing in public", async () => {
    await provisionSchema(admin, { name });
    const [rights] = await admin`
      select has_database_privilege(${name}, current_database(), 'connect') as connect,
        has_database_privilege(${name}, current_database(), 'temp') as temp,
        has_schema_privilege(${name}, 'public', 'usage') as public_usage,
        has_schema_privilege(${name}, 'public', 'create') as public_create`;
    assert.deepEqual({ ...rights }, { connect: true, temp: false, public_usage: false, public_create: false });
  });

  it("should be idempotent, run again or concurrently", async () => {
    await provisionSchema(admin, { name });
    const admins = [connect(db.url), connect(db.url), connect(other.url), connect(other.url)];
    try {
      await Promise.all(admins.map((sql) => provisionSchema(sql, { name })));
    } finally {
      await Promise.all(admins.map((sql) => sql.end()));
    }
    const [{ schemas }] = await admin`select count(*)::int as schemas from pg_namespace where nspname = ${name}`;
    assert.equal(schemas, 1);
  });

  it("should store a password as a SCRAM verifier, and remove it when none is given", async () => {
    await provisionSchema(admin, { name, password: "correct horse" });
    const [withPassword] = await admin`select rolpassword from pg_authid where rolname = ${name}`;
    assert.match(String(withPassword?.["rolpassword"]), /^SCRAM-SHA-256\$4096:/);
    await provisionSchema(admin, { name });
    const [without] = await admin`select rolpassword from pg_authid where rolname = ${name}`;
    assert.equal(without?.["rolpassword"], null);
  });

  it("should reject names that are not safe identifiers", async () => {
    for (const bad of ["Alpha", "1st", "a;drop table x", "a b", "pg_catalog", "public", "x".repeat(64), ""]) {
      await assert.rejects(provisionSchema(admin, { name: bad }), TypeError, bad);
    }
  });

  it("should refuse to provision a superuser role", async () => {
    const superuser = `${name}_super`;
    await admin`create role ${admin(superuser)} superuser`;
    try {
      await assert.rejects(provisionSchema(admin, { name: superuser }), (err) => err instanceof ConnectError && err.code === Code.FailedPrecondition);
    } finally {
      await admin`drop role ${admin(superuser)}`;
    }
  });
});
