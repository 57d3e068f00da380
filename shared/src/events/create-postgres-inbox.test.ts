import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { UserCreatedSchema, type UserCreated } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { Hono } from "hono";
import postgres, { type Sql } from "postgres";
import { createLogger, type LogFields } from "../log/logger.js";
import { createTestDatabase, type TestDatabase } from "../testing/use-database.js";
import type { CloudEvent } from "./cloud-event.js";
import { cloudEventToHttp } from "./cloud-event-to-http.js";
import { createEventReceiver } from "./create-event-receiver.js";
import { ensureInboxTable } from "./ensure-inbox-table.js";
import type { EventHandler, EventRuntime } from "./event-context.js";
import { on } from "./subscription.js";

function userCreated(userId: string, id: string = crypto.randomUUID()): CloudEvent {
  const data = toJsonString(UserCreatedSchema, create(UserCreatedSchema, { user: { id: userId } }));
  return {
    specversion: "1.0",
    id,
    source: "/functions/identity",
    type: "kinetic.identity.user.created.v1",
    subject: userId,
    datacontenttype: "application/json",
    data: new TextEncoder().encode(data),
    extensions: {},
  };
}

/** A receiver with Postgres whose handler is `handler`, and the lines it logged. */
function serve(sql: Sql, handler: EventHandler<UserCreated>) {
  const lines: LogFields[] = [];
  const runtime: EventRuntime = {
    sql,
    log: createLogger({ write: (line) => void lines.push(JSON.parse(line) as LogFields) }),
    client: (() => assert.fail("no client in this test")) as EventRuntime["client"],
    source: "/functions/mailer",
  };
  const app = new Hono();
  createEventReceiver({ subscriptions: [on(UserCreatedSchema, handler)], runtime }).routes(app);
  const post = async (event: CloudEvent) => {
    const { headers, body } = cloudEventToHttp(event);
    return app.request("/", { method: "POST", headers, body });
  };
  return { post, lines };
}

/** Inserts a welcome for the user through the inbox's transaction: the effect under test. */
const welcome: EventHandler<UserCreated> = async (data, { tx, event }) => {
  assert.ok(tx, "a function with Postgres handles events in a transaction");
  await tx`insert into welcomes (user_id, event_id) values (${data.user?.id ?? ""}, ${event.id})`;
};

describe("deduplication with Postgres", () => {
  let db: TestDatabase;
  let sql: Sql;
  before(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 4, onnotice: () => undefined });
    await ensureInboxTable(sql);
    await sql`create table welcomes (user_id text primary key, event_id text not null)`;
  });
  after(async () => {
    await sql.end({ timeout: 5 });
    await db.drop();
  });

  const count = async (table: "welcomes" | "kinetic_inbox", id: string) =>
    Number((await sql`select count(*)::int as n from ${sql(table)} where ${sql(table === "welcomes" ? "event_id" : "id")} = ${id}`)[0]?.["n"]);

  it("should create kinetic_inbox once, even when instances start concurrently", async () => {
    await Promise.all([ensureInboxTable(sql), ensureInboxTable(sql), ensureInboxTable(sql)]);
    const key = await sql`
      select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = 'kinetic_inbox'::regclass and i.indisprimary order by a.attname`;
    assert.deepEqual(key.map((r) => r["attname"]), ["id", "source"]);
  });

  it("should run the handler once for a redelivered event and keep one row of its effect", async () => {
    let runs = 0;
    const { post, lines } = serve(sql, async (data, ctx) => {
      runs++;
      await welcome(data, ctx);
    });
    const event = userCreated("ada");
    assert.equal((await post(event)).status, 202);
    assert.equal((await post(event)).status, 202);
    assert.equal(runs, 1);
    assert.equal(await count("welcomes", event.id), 1);
    const [row] = await sql`select source, type, received_at from kinetic_inbox where id = ${event.id}`;
    assert.equal(row?.["source"], "/functions/identity");
    assert.equal(row?.["type"], "kinetic.identity.user.created.v1");
    assert.deepEqual(lines.map((l) => [l["outcome"], l["dedup"]]), [["handled", "postgres"], ["duplicate", "postgres"]]);
  });

  it("should run concurrent deliveries of one event once: the second waits for the first's row", async () => {
    let runs = 0;
    const { post } = serve(sql, async (data, ctx) => {
      runs++;
      await sleep(200);
      await welcome(data, ctx);
    });
    const event = userCreated("grace");
    const statuses = await Promise.all([post(event), post(event)]).then((all) => all.map((r) => r.status));
    assert.deepEqual(statuses, [202, 202]);
    assert.equal(runs, 1);
    assert.equal(await count("welcomes", event.id), 1);
  });

  it("should roll back the effect and leave no inbox row when the handler fails, so a redelivery runs it again", async () => {
    let attempts = 0;
    const { post } = serve(sql, async (data, ctx) => {
      await welcome(data, ctx);
      if (++attempts === 1) throw new ConnectError("smtp is down", Code.Unavailable);
    });
    const event = userCreated("linus");
    assert.equal((await post(event)).status, 503);
    assert.equal(await count("welcomes", event.id), 0);
    assert.equal(await count("kinetic_inbox", event.id), 0);
    assert.equal((await post(event)).status, 202);
    assert.equal(attempts, 2);
    assert.equal(await count("welcomes", event.id), 1);
    assert.equal(await count("kinetic_inbox", event.id), 1);
  });

  it("should answer 400 without an inbox row when the handler rejects the event", async () => {
    const { post } = serve(sql, async () => Promise.reject(new ConnectError("user has no email", Code.InvalidArgument)));
    const event = userCreated("nobody");
    const res = await post(event);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: "invalid_argument", message: "user has no email" });
    assert.equal(await count("kinetic_inbox", event.id), 0);
  });

  it("should map the handler's Postgres errors through connectErrorFromPostgres", async () => {
    const { post } = serve(sql, welcome);
    assert.equal((await post(userCreated("barbara"))).status, 202);
    const again = userCreated("barbara"); // another event about the same user: welcomes' primary key refuses it
    const res = await post(again);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: "already_exists", message: "already exists (welcomes_pkey)" });
    assert.equal(await count("kinetic_inbox", again.id), 0);
  });

  it("should answer 503 when the database is unreachable", async () => {
    const down = postgres("postgres://postgres@127.0.0.1:1/none", { max: 1, connect_timeout: 1, onnotice: () => undefined });
    try {
      const { post, lines } = serve(down, welcome);
      const res = await post(userCreated("edsger"));
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { code: string }).code, "unavailable");
      assert.equal(lines[0]?.["level"], "error");
    } finally {
      await down.end({ timeout: 1 });
    }
  });
});
