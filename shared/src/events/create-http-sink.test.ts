import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import postgres, { type Sql } from "postgres";
import { UserCreatedSchema, UserDeletedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { createLogger } from "../log/logger.js";
import { createTestTracer } from "../testing/create-test-tracer.js";
import { closedPortUrl } from "../testing/start-fake-server.js";
import { createTestDatabase, type TestDatabase } from "../testing/use-database.js";
import { waitFor } from "../testing/wait-for.js";
import { cloudEventFromHttp } from "./cloud-event-from-http.js";
import { createEventPublisher } from "./create-event-publisher.js";
import { createHttpSink } from "./create-http-sink.js";
import { ensureOutboxTable } from "./outbox-table.js";
import { startOutboxRelay } from "./start-outbox-relay.js";

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A CloudEvents sink: records every POST and answers `status(n)` (n counts requests from 0). */
async function startSink(status: (n: number, received: Received) => number = () => 202, port = 0): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks) };
      const code = status(n++, request);
      if (code >= 200 && code < 300) received.push(request);
      res.writeHead(code, { "content-type": "text/plain" }).end(code >= 300 ? "broker is busy" : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/default/kinetic`,
    received,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const userIds = (received: Received[]) => received.map((r) => (JSON.parse(r.body.toString()) as { userId: string }).userId);

describe("outbox relay over HTTP (K_SINK)", () => {
  let db: TestDatabase;
  let sql: Sql;
  const publisher = createEventPublisher({ source: "/functions/identity" });
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: "warn", write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  before(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 4, onnotice: () => {} });
    await ensureOutboxTable(sql);
  });
  after(async () => {
    await sql.end();
    await db.drop();
  });
  const outboxCount = async () => (await sql<[{ count: number }]>`select count(*)::int as count from kinetic_outbox`)[0].count;
  const publishDeleted = (ids: string[], subject: (id: string) => string) =>
    sql.begin(async (tx) => {
      for (const id of ids) await publisher.publish(tx, UserDeletedSchema, { userId: id }, { subject: subject(id) });
    });

  it("should POST a committed event in binary mode with its attributes, partition key and trace context", async () => {
    const sink = await startSink();
    const relay = startOutboxRelay({ sql, sink: createHttpSink({ url: sink.url }), name: "identity", log, pollIntervalMs: 200 });
    const { inSpan } = createTestTracer();
    try {
      let traceId = "";
      const id = await inSpan((span) => {
        traceId = span.spanContext().traceId;
        return sql.begin((tx) => publisher.publish(tx, UserCreatedSchema, { user: { id: "u1", email: "a@b.co" } }, { subject: "usér 1" }));
      });
      const [request] = await waitFor(() => (sink.received.length > 0 ? sink.received : undefined), 15_000, "the POST");
      const { headers, body } = request!;
      assert.equal(headers["ce-specversion"], "1.0");
      assert.equal(headers["ce-id"], id);
      assert.equal(headers["ce-type"], "kinetic.identity.user.created.v1");
      assert.equal(headers["ce-source"], "/functions/identity");
      assert.equal(headers["ce-subject"], "us%C3%A9r%201", "percent-encoded as the HTTP binding requires");
      assert.equal(headers["ce-partitionkey"], "us%C3%A9r%201");
      assert.match(String(headers["ce-time"]), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.equal(headers["content-type"], "application/json");
      assert.equal(headers["ce-datacontenttype"], undefined, "binary mode: content-type carries it");
      assert.match(String(headers["ce-traceparent"]), new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      assert.equal(headers["traceparent"], headers["ce-traceparent"], "the ingress continues the publishing call's trace");
      assert.deepEqual(JSON.parse(body.toString()), { user: { id: "u1", email: "a@b.co" } });
      const event = cloudEventFromHttp(new Headers(headers as Record<string, string>), body);
      assert.equal(event.subject, "usér 1", "shared's parser reads it back");
      await waitFor(async () => ((await outboxCount()) === 0 ? true : undefined), 15_000, "the row deleted after the 202");
    } finally {
      await relay.close();
      await sink.close();
    }
  });

  it("should keep each key's events in outbox order across a burst of 300 over 5 keys", async () => {
    const sink = await startSink();
    const keys = ["a", "b", "c", "d", "e"];
    for (let i = 0; i < 300; i += 50) await publishDeleted(Array.from({ length: 50 }, (_, j) => `${keys[(i + j) % 5]}-${i + j}`), (id) => id.split("-")[0]!);
    const relay = startOutboxRelay({ sql, sink: createHttpSink({ url: sink.url }), name: "identity", log, pollIntervalMs: 200 });
    try {
      await waitFor(() => (sink.received.length >= 300 ? true : undefined), 30_000, "300 POSTs");
      for (const key of keys) {
        const sequence = userIds(sink.received).filter((id) => id.startsWith(`${key}-`)).map((id) => Number(id.split("-")[1]));
        assert.equal(sequence.length, 60);
        assert.deepEqual(sequence, [...sequence].sort((x, y) => x - y), `key ${key} in order`);
      }
      await relay.flush();
      assert.equal(await outboxCount(), 0);
      assert.equal(sink.received.length, 300, "each event once when every POST was acknowledged");
    } finally {
      await relay.close();
      await sink.close();
    }
  });

  it("should keep events the sink refuses with 500 and send them, in order, once it accepts again", async () => {
    let healthy = false;
    const sink = await startSink(() => (healthy ? 202 : 500));
    lines.length = 0;
    const relay = startOutboxRelay({ sql, sink: createHttpSink({ url: sink.url }), name: "identity", log, pollIntervalMs: 100 });
    try {
      await publishDeleted(["x-1", "x-2", "x-3"], () => "x");
      await publishDeleted(["y-1"], () => "y");
      await waitFor(() => lines.find((l) => l["msg"] === "cannot relay events; they stay in the outbox"), 15_000, "the warning");
      await new Promise((r) => setTimeout(r, 500)); // several polls while failing
      assert.equal(await outboxCount(), 4, "nothing deleted while the sink answers 500");
      assert.equal(lines.filter((l) => l["msg"] === "cannot relay events; they stay in the outbox").length, 1, "warned once while failing");
      assert.match(String(lines[0]?.["error"]), /answered 500: broker is busy/);
      healthy = true;
      await waitFor(() => (sink.received.length >= 4 ? true : undefined), 15_000, "the events after recovery");
      assert.deepEqual(userIds(sink.received).filter((id) => id.startsWith("x")), ["x-1", "x-2", "x-3"]);
      await waitFor(async () => ((await outboxCount()) === 0 ? true : undefined), 15_000, "an empty outbox");
    } finally {
      await relay.close();
      await sink.close();
    }
  });

  it("should lose nothing while the sink's port is closed, and deliver everything when it listens", async () => {
    const closed = new URL(await closedPortUrl());
    const url = `${closed.origin}/default/kinetic`;
    const relay = startOutboxRelay({ sql, sink: createHttpSink({ url }), name: "identity", log, pollIntervalMs: 100 });
    let sink: Awaited<ReturnType<typeof startSink>> | undefined;
    try {
      lines.length = 0;
      await publishDeleted(Array.from({ length: 20 }, (_, i) => `z-${i}`), (id) => `k${Number(id.split("-")[1]) % 4}`);
      await waitFor(() => lines.find((l) => l["msg"] === "cannot relay events; they stay in the outbox"), 15_000, "the warning");
      assert.match(String(lines[0]?.["error"]), /unreachable: ECONNREFUSED/);
      assert.equal(await outboxCount(), 20);
      sink = await startSink(() => 202, Number(closed.port));
      await waitFor(() => (sink!.received.length >= 20 ? true : undefined), 15_000, "every event");
      assert.deepEqual(new Set(userIds(sink.received)), new Set(Array.from({ length: 20 }, (_, i) => `z-${i}`)));
      await waitFor(async () => ((await outboxCount()) === 0 ? true : undefined), 15_000, "an empty outbox");
    } finally {
      await relay.close();
      await sink?.close();
    }
  });

  it("should delete what a partly failing batch delivered and send only the rest again", async () => {
    // Key "p" is refused once at its second event; key "q" goes through in the same batch.
    let refused = false;
    const sink = await startSink((_, r) => {
      const id = (JSON.parse(r.body.toString()) as { userId: string }).userId;
      if (id === "p-2" && !refused) return (refused = true), 503;
      return 202;
    });
    const relay = startOutboxRelay({ sql, sink: createHttpSink({ url: sink.url, concurrency: 1 }), name: "identity", log, pollIntervalMs: 100 });
    try {
      await publishDeleted(["q-1", "p-1", "p-2", "p-3", "q-2"], (id) => id.split("-")[0]!);
      await waitFor(() => (sink.received.length >= 5 ? true : undefined), 15_000, "every event");
      await relay.flush();
      const ids = userIds(sink.received);
      assert.deepEqual(ids.filter((id) => id.startsWith("p")), ["p-1", "p-2", "p-3"]);
      assert.equal(ids.length, 5, "p-1 and q's events were not sent twice");
      assert.equal(await outboxCount(), 0);
    } finally {
      await relay.close();
      await sink.close();
    }
  });
});

describe("createHttpSink", () => {
  it("should refuse a sink that is not an http(s) URL", () => {
    assert.throws(() => createHttpSink({ url: "kafka://broker:9092" }), /must be an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => createHttpSink({ url: "not a url" }), TypeError);
  });
});
