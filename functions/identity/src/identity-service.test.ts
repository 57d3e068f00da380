import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { createTestDatabase, createTestTopic, readTopic, startFunction, type StartedFunction, rejectsWith } from "@kinetic/runtime/testing";
import postgres from "postgres";
import identity from "./index.js";

const buf = fileURLToPath(new URL("../../../node_modules/.bin/buf", import.meta.url));
const run = promisify(execFile);


describe("identity", () => {
  let server: StartedFunction;
  let client: Client<typeof IdentityService>;
  let dropDatabase: () => Promise<void>;
  let databaseUrl: string;
  let topic: string;
  before(async () => {
    const db = await createTestDatabase();
    dropDatabase = db.drop;
    databaseUrl = db.url;
    topic = await createTestTopic("identity-events");
    // Cheap scrypt parameters keep the suite fast; the hasher's own test uses the defaults.
    server = await startFunction(identity, {
      DATABASE_URL: db.url,
      IDENTITY_SCRYPT_LOG_N: "10",
      IDENTITY_SCRYPT_P: "1",
      KINETIC_EVENTS_TOPIC: topic,
    });
    client = createClient(IdentityService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
  });
  after(async () => {
    await server.close();
    await dropDatabase();
  });

  it("should create a user with a normalised email and never return the password", async () => {
    const { user } = await client.createUser({ email: "Ada@Example.COM", displayName: "Ada", password: "correct horse" });
    assert.equal(user?.email, "ada@example.com");
    assert.match(user?.id ?? "", /^[\da-f]{8}-[\da-f]{4}-7[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/);
    assert.ok(user?.createTime && user.updateTime);
    assert.ok(!JSON.stringify(user, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)).includes("correct horse"));
    assert.ok(!JSON.stringify(server.logs).includes("correct horse"), "passwords are never logged");
  });

  it("should refuse a second user with the same email, whatever its case, with already_exists", async () => {
    await client.createUser({ email: "dup@example.com", displayName: "One", password: "password1" });
    await assert.rejects(
      client.createUser({ email: "DUP@example.com", displayName: "Two", password: "password2" }),
      rejectsWith(Code.AlreadyExists, /dup@example\.com/),
    );
  });

  it("should reject bad input with invalid_argument naming the field", async () => {
    await assert.rejects(client.createUser({ email: "not-an-email", displayName: "X", password: "password1" }), rejectsWith(Code.InvalidArgument, /email/));
    await assert.rejects(client.createUser({ email: "a@b.co", displayName: "X", password: "short" }), rejectsWith(Code.InvalidArgument, /password.*string.min_len/));
    await assert.rejects(client.getUser({ id: "42" }), rejectsWith(Code.InvalidArgument, /id.*uuid/));
    await assert.rejects(client.listUsers({ pageSize: 5000 }), rejectsWith(Code.InvalidArgument, /page_size/));
  });

  it("should get a user by id and answer not_found for an unknown id", async () => {
    const { user } = await client.createUser({ email: "get@example.com", displayName: "Get", password: "password1" });
    assert.equal((await client.getUser({ id: user!.id })).user?.email, "get@example.com");
    await assert.rejects(client.getUser({ id: "0190b6f0-0000-7000-8000-000000000000" }), rejectsWith(Code.NotFound, /not found/));
  });

  it("should page through every user exactly once in creation order", async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { user } = await client.createUser({ email: `page${i}@example.com`, displayName: `P${i}`, password: "password1" });
      created.push(user!.id);
    }
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await client.listUsers({ pageSize: 3, pageToken });
      assert.ok(page.users.length <= 3);
      seen.push(...page.users.map((u) => u.id));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    assert.deepEqual(seen, [...seen].sort(), "ordered by id");
    assert.equal(new Set(seen).size, seen.length, "no user twice");
    for (const id of created) assert.ok(seen.includes(id));
    assert.deepEqual(seen.filter((id) => created.includes(id)), created, "creation order");
  });

  it("should reject a page token it did not issue", async () => {
    await assert.rejects(client.listUsers({ pageToken: "bm9wZQ" }), rejectsWith(Code.InvalidArgument, /page_token/));
  });

  it("should update only the fields in the mask", async () => {
    const { user } = await client.createUser({ email: "upd@example.com", displayName: "Before", password: "password1" });
    const { user: updated } = await client.updateUser({
      user: { id: user!.id, displayName: "After", email: "ignored@example.com" },
      updateMask: { paths: ["display_name"] },
    });
    assert.equal(updated?.displayName, "After");
    assert.equal(updated?.email, "upd@example.com");
    await assert.rejects(
      client.updateUser({ user: { id: user!.id }, updateMask: { paths: ["password"] } }),
      rejectsWith(Code.InvalidArgument, /update_mask.*password/),
    );
    await assert.rejects(
      client.updateUser({ user: { id: "0190b6f0-0000-7000-8000-000000000000", displayName: "x" }, updateMask: { paths: ["display_name"] } }),
      rejectsWith(Code.NotFound, /not found/),
    );
  });

  it("should refuse to move a user onto an email that is taken", async () => {
    await client.createUser({ email: "taken@example.com", displayName: "T", password: "password1" });
    const { user } = await client.createUser({ email: "mover@example.com", displayName: "M", password: "password1" });
    await assert.rejects(
      client.updateUser({ user: { id: user!.id, email: "Taken@example.com" }, updateMask: { paths: ["email"] } }),
      rejectsWith(Code.AlreadyExists, /taken@example\.com/),
    );
  });

  it("should delete a user once, then answer not_found", async () => {
    const { user } = await client.createUser({ email: "del@example.com", displayName: "D", password: "password1" });
    await client.deleteUser({ id: user!.id });
    await assert.rejects(client.getUser({ id: user!.id }), rejectsWith(Code.NotFound, /not found/));
    await assert.rejects(client.deleteUser({ id: user!.id }), rejectsWith(Code.NotFound, /not found/));
  });

  it("should verify a password, and answer unauthenticated alike for a wrong password or an unknown email", async () => {
    await client.createUser({ email: "login@example.com", displayName: "L", password: "open sesame" });
    assert.equal((await client.verifyPassword({ email: "LOGIN@example.com", password: "open sesame" })).user?.email, "login@example.com");
    const wrongPassword = await client.verifyPassword({ email: "login@example.com", password: "open sesame!" }).catch(ConnectError.from);
    const unknownEmail = await client.verifyPassword({ email: "nobody@example.com", password: "open sesame" }).catch(ConnectError.from);
    for (const e of [wrongPassword, unknownEmail]) {
      assert.ok(e instanceof ConnectError);
      assert.equal(e.code, Code.Unauthenticated);
    }
    assert.equal((wrongPassword as ConnectError).rawMessage, (unknownEmail as ConnectError).rawMessage);
  });

  it("should store passwords only as salted scrypt hashes", async () => {
    await client.createUser({ email: "salt1@example.com", displayName: "S", password: "same password" });
    await client.createUser({ email: "salt2@example.com", displayName: "S", password: "same password" });
    const sql = postgres(databaseUrl, { max: 1 });
    try {
      const rows = await sql<{ password_hash: string }[]>`select password_hash from identity.users where email like 'salt%'`;
      assert.equal(rows.length, 2);
      for (const { password_hash } of rows) assert.match(password_hash, /^scrypt\$10\$8\$1\$/);
      assert.notEqual(rows[0]!.password_hash, rows[1]!.password_hash);
    } finally {
      await sql.end();
    }
  });

  it("should keep its data in its own schema, out of reach of other functions' roles and vice versa", async () => {
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await admin`create role identity_neighbour login`.catch(() => {});
      await admin`create schema if not exists identity_neighbour authorization identity_neighbour`;
      await admin`create table if not exists identity_neighbour.secrets (v text)`;
    } finally {
      await admin.end();
    }
    const asIdentity = postgres({ ...connectionOf(databaseUrl), username: "identity", max: 1 });
    const asNeighbour = postgres({ ...connectionOf(databaseUrl), username: "identity_neighbour", max: 1 });
    try {
      await assert.rejects(asIdentity`select * from identity_neighbour.secrets`, /permission denied/);
      await assert.rejects(asIdentity`insert into identity_neighbour.secrets values ('x')`, /permission denied/);
      await assert.rejects(asIdentity`create table public.leak (v text)`, /permission denied/);
      await assert.rejects(asNeighbour`select * from identity.users`, /permission denied/);
    } finally {
      await asIdentity.end();
      await asNeighbour.end();
    }
  });

  it("should publish an event for each change, and none for a change that failed", async () => {
    const { user } = await client.createUser({ email: "events@example.com", displayName: "Ev", password: "password1" });
    await assert.rejects(client.createUser({ email: "events@example.com", displayName: "Dup", password: "password1" }));
    await client.updateUser({ user: { id: user!.id, displayName: "Ev2" }, updateMask: { paths: ["display_name"] } });
    await client.deleteUser({ id: user!.id });
    const isMine = (r: { key: Buffer | null }) => r.key?.toString() === user!.id;
    const records = await readTopic(topic, (rs) => rs.filter(isMine).length >= 3);
    const mine = records.filter(isMine).map((r) => ({ type: r.headers?.["ce_type"]?.toString(), value: r.value!.toString() }));
    assert.deepEqual(
      mine.map((r) => r.type),
      ["kinetic.identity.user.created.v1", "kinetic.identity.user.updated.v1", "kinetic.identity.user.deleted.v1"],
    );
    const created = JSON.parse(mine[0]!.value) as { user: { email: string } };
    assert.equal(created.user.email, "events@example.com");
    assert.ok(!mine.some((r) => r.value.includes("password")), "no password material in events");
  });

  for (const protocol of ["connect", "grpc", "grpcweb"]) {
    it(`should answer buf curl over ${protocol} without proto files`, async () => {
      const created = await run(buf, [
        "curl",
        "--http2-prior-knowledge",
        "--protocol",
        protocol,
        "--data",
        JSON.stringify({ email: `curl-${protocol}@example.com`, displayName: "Curl", password: "password1" }),
        `${server.url}/kinetic.identity.v1.IdentityService/CreateUser`,
      ]);
      const { user } = JSON.parse(created.stdout) as { user: { email: string } };
      assert.equal(user.email, `curl-${protocol}@example.com`);
    });
  }
});

function connectionOf(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), database: u.pathname.slice(1), onnotice: () => {} };
}
