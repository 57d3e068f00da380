import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import type { AuditEvent } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { createLogger } from "@kinetic/runtime";
import { createTestDatabase, waitFor, type TestDatabase } from "@kinetic/runtime/testing";
import postgres from "postgres";
import { createAuditStore } from "./audit-store.js";
import { createTailHub, type TailHub } from "./tail-hub.js";

describe("createTailHub", () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  let hub: TailHub;
  before(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 4, onnotice: () => undefined });
    await sql.unsafe(await readFile(new URL("../migrations/0001_create_audit_events.sql", import.meta.url), "utf8"));
    hub = createTailHub({ sql, bufferSize: 5, log: createLogger({ write: () => undefined }) });
  });
  after(async () => {
    await hub.close();
    await sql.end({ timeout: 5 });
    await db.drop();
  });

  const record = (type: string, tx: postgres.Sql | postgres.TransactionSql = sql) =>
    createAuditStore(tx).record({ source: "/test", id: randomUUID(), type, subject: "s", time: undefined, actor: "", traceId: "", data: {} });

  /** Starts a stream and resolves once the hub serves it, so nothing recorded afterwards is missed. */
  async function subscribe(typePrefix: string, signal = new AbortController().signal) {
    const before = hub.subscribers;
    const events = hub.subscribe(typePrefix, signal)[Symbol.asyncIterator]();
    const first = events.next();
    await waitFor(() => (hub.subscribers > before ? true : undefined), 5000, "the subscriber to join");
    return { first, events };
  }

  it("should deliver matching events in commit order, even one whose seq is lower than a delivered one", async () => {
    const controller = new AbortController();
    const { first, events } = await subscribe("hub.order.", controller.signal);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedFirst = new Promise<void>((resolve) => (inserted = resolve));
    // This transaction takes the lower seq but commits second.
    const slow = sql.begin(async (tx) => {
      await record("hub.order.first-seq", tx);
      inserted();
      await held;
    });
    await insertedFirst;
    await record("hub.other.ignored");
    await record("hub.order.second-seq");
    release();
    await slow;
    const received: AuditEvent[] = [(await first).value as AuditEvent, (await events.next()).value as AuditEvent];
    assert.deepEqual(
      received.map((e) => e.type),
      ["hub.order.second-seq", "hub.order.first-seq"],
    );
    controller.abort();
    assert.equal((await events.next()).done, true);
    assert.equal(hub.subscribers, 0);
  });

  it("should cut off a consumer that falls more than bufferSize events behind, dropping its queue", async () => {
    const { first, events } = await subscribe("hub.slow.");
    for (let i = 0; i < 20; i++) await record("hub.slow.event");
    await waitFor(() => (hub.subscribers === 0 ? true : undefined), 5000, "the slow subscriber to be cut off");
    const err = await first.then(() => events.next()).then(
      () => assert.fail("the stream should end with an error"),
      (e: unknown) => ConnectError.from(e),
    );
    assert.equal(err.code, Code.ResourceExhausted);
    assert.match(err.rawMessage, /fell more than 5 events behind; reconnect and resume with Query/);
  });

  it("should remove a subscriber whose consumer cancels while it waits", async () => {
    const controller = new AbortController();
    const { first } = await subscribe("hub.cancel.", controller.signal);
    controller.abort();
    assert.equal((await first).done, true);
    assert.equal(hub.subscribers, 0);
  });

  it("should end every stream with unavailable when its LISTEN connection dropped, then serve new ones", async () => {
    const { first } = await subscribe("hub.dropped.");
    const killed = await sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and query like 'listen %' and pid <> pg_backend_pid()`;
    assert.equal(killed.count, 1);
    await assert.rejects(first, (e: unknown) => ConnectError.from(e).code === Code.Unavailable && /may have missed events/.test(ConnectError.from(e).rawMessage));
    assert.equal(hub.subscribers, 0);
    const again = await subscribe("hub.dropped.");
    await record("hub.dropped.after");
    assert.equal(((await again.first).value as AuditEvent).type, "hub.dropped.after");
  });

  it("should end every stream with unavailable when it closes", async () => {
    const other = createTailHub({ sql, log: createLogger({ write: () => undefined }) });
    const events = other.subscribe("", new AbortController().signal)[Symbol.asyncIterator]();
    const first = events.next();
    await waitFor(() => (other.subscribers === 1 ? true : undefined), 5000, "the subscriber to join");
    await other.close();
    await assert.rejects(first, (e: unknown) => ConnectError.from(e).code === Code.Unavailable);
    assert.equal(other.subscribers, 0);
  });
});
