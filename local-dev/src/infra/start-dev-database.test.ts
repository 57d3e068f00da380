import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuditService } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { closedPortUrl, createTestTopic, readTopic, rejectsWith, spawnFunction, waitFor, type SpawnedFunction } from "@kinetic/runtime/testing";
import postgres from "postgres";
import { startDevDatabase, type DevDatabase } from "./start-dev-database.js";

const identityModule = "functions/identity/src/index.ts";
const auditModule = "functions/audit/src/index.ts";
const fast = { IDENTITY_SCRYPT_LOG_N: "10", IDENTITY_SCRYPT_P: "1" };

function identityClient(fn: SpawnedFunction) {
  return createClient(IdentityService, createConnectTransport({ baseUrl: fn.url, httpVersion: "1.1" }));
}

async function stop(...fns: SpawnedFunction[]): Promise<void> {
  for (const fn of fns) fn.child.kill("SIGTERM");
  await Promise.all(fns.map((fn) => fn.exited));
}

/** True when nothing listens on the port any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
  });
}

/** Tables of `schema` as the database at `url` has them. */
async function tablesOf(url: string, schema: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ name: string }[]>`select table_name as name from information_schema.tables where table_schema = ${schema} order by 1`;
    return rows.map((r) => r.name);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

describe("startDevDatabase, embedded", () => {
  let dataDir: string;
  let database: DevDatabase;
  let topic: string;
  const lines: string[] = [];
  const started: SpawnedFunction[] = [];
  let userId = "";

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "kinetic-pglite-"));
    topic = await createTestTopic("dev-database", 1);
    database = await startDevDatabase({ prefer: "embedded", dataDir, log: (line) => lines.push(line) });
  });
  after(async () => {
    await stop(...started.filter((fn) => fn.child.exitCode === null));
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("should say that it is embedded and where the data lives", () => {
    assert.equal(database.kind, "pglite");
    assert.equal(database.location, dataDir);
    assert.match(lines[0]!, /database: embedded PGlite, one per function, data in .*kinetic-pglite-\w+\/<function> \(forced/);
  });

  it("should serve identity: create, read and verify a user, and relay its event to Kafka", async () => {
    const env = await database.envFor("identity");
    assert.match(env["DATABASE_URL"]!, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    assert.equal(env["DATABASE_PROVISION"], "off");
    const identity = await spawnFunction(identityModule, { ...env, ...fast, KINETIC_EVENTS_TOPIC: topic });
    started.push(identity);
    const client = identityClient(identity);
    const { user } = await client.createUser({ email: "ada@example.com", displayName: "Ada", password: "correct horse" });
    userId = user!.id;
    assert.equal((await client.getUser({ id: userId })).user?.email, "ada@example.com");
    assert.equal((await client.verifyPassword({ email: "ada@example.com", password: "correct horse" })).user?.id, userId);
    await assert.rejects(client.verifyPassword({ email: "ada@example.com", password: "wrong horse" }), rejectsWith(Code.Unauthenticated, /incorrect/));

    const records = await readTopic(topic, (all) => all.some((r) => r.key?.toString() === userId), 30_000);
    const created = records.find((r) => r.key?.toString() === userId)!;
    assert.equal(created.headers?.["ce_type"]?.toString(), "kinetic.identity.user.created.v1");
    assert.equal(created.headers?.["ce_source"]?.toString(), "/functions/identity");
    assert.deepEqual(await tablesOf(env["DATABASE_URL"]!, "identity"), ["kinetic_migrations", "kinetic_outbox", "users"]);
    const sql = postgres(env["DATABASE_URL"]!, { max: 1, onnotice: () => undefined });
    try {
      const [{ count }] = await sql<[{ count: number }]>`select count(*)::int as count from identity.kinetic_outbox`;
      assert.equal(count, 0, "the relayed row left the outbox");
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it("should let two instances of one function migrate its new database together", async () => {
    // Both instances find the migrations to apply: advisory locks exclude nothing on PGlite's single session.
    const env = { ...(await database.envFor("audit")), KINETIC_EVENTS_TOPIC: topic };
    const both = await Promise.all([spawnFunction(auditModule, env), spawnFunction(auditModule, env)]);
    started.push(...both);
    for (const fn of both) {
      const client = createClient(AuditService, createConnectTransport({ baseUrl: fn.url, httpVersion: "1.1" }));
      assert.deepEqual((await client.query({ typePrefix: "kinetic." })).events, []);
    }
    const applied = both.flatMap((fn) => fn.logs.filter((l) => l["msg"] === "migration applied").map((l) => l["migration"]));
    assert.deepEqual(applied, ["0001_create_audit_events.sql"], "each migration applied once");
  });

  it("should give audit a database of its own, beside identity's, neither seeing the other", async () => {
    const [identityEnv, auditEnv] = await Promise.all([database.envFor("identity"), database.envFor("audit")]);
    assert.notEqual(identityEnv["DATABASE_URL"], auditEnv["DATABASE_URL"]);
    const audit = started.at(-1)!;
    assert.ok((await identityClient(started[0]!).getUser({ id: userId })).user, "identity serves beside audit");
    const events = await createClient(AuditService, createConnectTransport({ baseUrl: audit.url, httpVersion: "1.1" })).query({ typePrefix: "kinetic." });
    assert.deepEqual(events.events, []);

    assert.deepEqual(await tablesOf(auditEnv["DATABASE_URL"]!, "identity"), []);
    assert.deepEqual(await tablesOf(identityEnv["DATABASE_URL"]!, "audit"), []);
    assert.ok((await tablesOf(auditEnv["DATABASE_URL"]!, "audit")).includes("audit_events"));
    assert.ok(existsSync(join(dataDir, "identity", "PG_VERSION")) && existsSync(join(dataDir, "audit", "PG_VERSION")));
  });

  it("should refuse to open a function's database that another process serves", async () => {
    const second = await startDevDatabase({ prefer: "embedded", dataDir, log: () => undefined });
    try {
      await assert.rejects(second.envFor("identity"), /kinetic-pglite-\w+\/identity is in use by process \d+ \(another npm run dev\?\)/);
    } finally {
      await second.close();
    }
    assert.ok((await identityClient(started[0]!).getUser({ id: userId })).user, "the first one still serves");
  });

  it("should stop an embedded database when the process that started it is killed", async () => {
    const parent = spawn(process.execPath, ["--conditions=kinetic-source", "--import", "tsx", "--input-type=module", "-e", `
      import { startDevDatabase } from ${JSON.stringify(fileURLToPath(new URL("./start-dev-database.ts", import.meta.url)))};
      const database = await startDevDatabase({ prefer: "embedded", dataDir: ${JSON.stringify(dataDir)}, log: () => undefined });
      console.log((await database.envFor("orphan-check")).DATABASE_URL);
      setInterval(() => undefined, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
    let url: string;
    try {
      url = await new Promise<string>((resolve) => createInterface({ input: parent.stdout! }).once("line", resolve));
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      assert.equal((await sql`select current_schema() as schema`)[0]!["schema"], "orphan-check");
      await sql.end();
    } finally {
      parent.kill("SIGKILL");
    }
    const port = Number(new URL(url).port);
    await waitFor(async () => ((await refused(port)) ? true : undefined), 15_000, "the orphaned database to stop listening");
  });

  it("should keep the data when the databases stop and start again", async () => {
    await stop(...started.filter((fn) => fn.child.exitCode === null));
    await database.close();
    await assert.rejects(database.envFor("identity"), /closed/);
    database = await startDevDatabase({ prefer: "embedded", dataDir, log: (line) => lines.push(line) });
    const identity = await spawnFunction(identityModule, { ...(await database.envFor("identity")), ...fast, KINETIC_EVENTS_TOPIC: topic });
    started.push(identity);
    const { user } = await identityClient(identity).getUser({ id: userId });
    assert.equal(user?.email, "ada@example.com");
    await assert.rejects(
      identityClient(identity).createUser({ email: "ada@example.com", displayName: "Ada again", password: "correct horse" }),
      rejectsWith(Code.AlreadyExists, /already exists/),
    );
  });
});

describe("startDevDatabase, choosing", () => {
  it("should pick the Postgres answering on 127.0.0.1:5432 and create its database", async () => {
    const name = `kinetic_probe_${randomBytes(4).toString("hex")}`;
    const lines: string[] = [];
    const database = await startDevDatabase({ env: {}, probeUrl: `postgres://postgres@127.0.0.1:5432/${name}`, log: (line) => lines.push(line) });
    const admin = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => undefined });
    try {
      assert.equal(database.kind, "postgres");
      assert.deepEqual(await database.envFor("identity"), { DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${name}` });
      assert.match(lines[0]!, new RegExp(`database: Postgres at 127\\.0\\.0\\.1:5432, database ${name}`));
      assert.equal((await admin`select 1 from pg_database where datname = ${name}`).length, 1);
    } finally {
      await admin`drop database if exists ${admin(name)}`;
      await admin.end();
      await database.close();
    }
  });

  it("should pick the local Postgres by default", async () => {
    const database = await startDevDatabase({ env: {}, log: () => undefined });
    assert.equal(database.kind, "postgres");
    assert.deepEqual(await database.envFor("identity"), { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/kinetic" });
  });

  it("should use DATABASE_URL without looking further", async () => {
    const url = `postgres://someone@${new URL(await closedPortUrl()).host}/elsewhere`;
    const lines: string[] = [];
    const database = await startDevDatabase({ env: { DATABASE_URL: url }, log: (line) => lines.push(line) });
    assert.equal(database.kind, "postgres");
    assert.deepEqual(await database.envFor("audit"), { DATABASE_URL: url });
    assert.match(lines[0]!, /\(DATABASE_URL\)$/);
  });

  it("should fall back to the embedded database when nothing answers, saying why", async () => {
    const host = new URL(await closedPortUrl()).host;
    const lines: string[] = [];
    const database = await startDevDatabase({ env: {}, probeUrl: `postgres://postgres@${host}/kinetic`, log: (line) => lines.push(line) });
    assert.equal(database.kind, "pglite");
    assert.match(lines[0]!, new RegExp(`embedded PGlite.*\\(no Postgres at ${host.replace(/\./g, "\\.")}; set DATABASE_URL`));
    await database.close();
  });

  it("should fall back to the embedded database when Postgres refuses the user, with its reason", async () => {
    const lines: string[] = [];
    const database = await startDevDatabase({ env: {}, probeUrl: "postgres://kinetic_nobody@127.0.0.1:5432/kinetic", log: (line) => lines.push(line) });
    assert.equal(database.kind, "pglite");
    assert.match(lines[0]!, /Postgres at 127\.0\.0\.1:5432 refused kinetic_nobody: .*kinetic_nobody/);
    await database.close();
  });
});
