import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import postgres from "postgres";
import { createTestTracer } from "../testing/create-test-tracer.js";
import { instrumentSql } from "./instrument-sql.js";

const url = process.env["KINETIC_TEST_DATABASE_ADMIN_URL"] || "postgres://postgres@127.0.0.1:5432/postgres";

describe("instrumentSql", () => {
  const { tracer, spans, inSpan } = createTestTracer();
  const raw = postgres(url, { max: 2, onnotice: () => undefined });
  const sql = instrumentSql(tracer, raw);
  after(() => raw.end({ timeout: 5 }));
  const querySpans = () => spans().filter((s) => s.attributes["db.system.name"] === "postgresql");

  it("should trace a tagged query as a child span, without its parameter values", async () => {
    const before = querySpans().length;
    const secret = "s3cr3t-value";
    const [row] = await inSpan(() => sql<{ v: string }[]>`select ${secret}::text as v, 'literal' as w`);
    assert.equal(row?.v, secret);
    const [span, ...others] = querySpans().slice(before);
    assert.equal(others.length, 0);
    assert.equal(span?.name, "SELECT postgres");
    assert.equal(span?.kind, SpanKind.CLIENT);
    assert.equal(span?.parentSpanContext?.spanId, spans().at(-1)?.spanContext().spanId);
    assert.deepEqual(span?.attributes, {
      "db.system.name": "postgresql",
      "db.system": "postgresql",
      "db.namespace": "postgres",
      "server.address": "127.0.0.1",
      "server.port": 5432,
      "db.query.text": "select $1::text as v, ? as w",
      "db.operation.name": "SELECT",
      "db.operation": "SELECT",
    });
    assert.ok(!JSON.stringify(span?.attributes).includes(secret));
  });

  it("should keep helpers working and trace only what is executed", async () => {
    const before = querySpans().length;
    const column = "x";
    const where = sql`where ${sql(column)} = ${2}`; // a fragment: never executed on its own
    const rows = await inSpan(() => sql`select ${sql(column)} from (select 2 as x) t ${where}`.values());
    assert.deepEqual([...rows].map((row) => [...row]), [[2]]);
    const traced = querySpans().slice(before);
    assert.deepEqual(traced.map((s) => s.attributes["db.query.text"]), ['select "x" from (select ? as x) t where "x" = $1']);
  });

  it("should trace sql.unsafe with literals replaced", async () => {
    const before = querySpans().length;
    await inSpan(() => sql.unsafe("select 'a@b.example' as email, $1::int as n", [7]));
    assert.equal(querySpans().slice(before)[0]?.attributes["db.query.text"], "select ? as email, $1::int as n");
  });

  it("should trace queries inside transactions and savepoints", async () => {
    const before = querySpans().length;
    const result = await inSpan(() =>
      sql.begin(async (tx) => {
        await tx`select 1 as a`;
        return tx.savepoint((sp) => sp`select 2 as b`);
      }),
    );
    assert.deepEqual([...result], [{ b: 2 }]);
    const texts = querySpans().slice(before).map((s) => s.attributes["db.query.text"]);
    assert.deepEqual(texts, ["select ? as a", "select ? as b"]);
  });

  it("should trace queries on a reserved connection", async () => {
    const before = querySpans().length;
    const reserved = await sql.reserve();
    try {
      await inSpan(() => reserved`select 3 as c`);
    } finally {
      reserved.release();
    }
    assert.equal(querySpans().slice(before).length, 1);
  });

  it("should trace a cursor until it is read to the end", async () => {
    const before = querySpans().length;
    let batches = 0;
    await inSpan(async () => {
      for await (const rows of sql`select generate_series(1, 3) as n`.cursor(2)) batches += rows.length > 0 ? 1 : 0;
    });
    assert.equal(batches, 2);
    assert.equal(querySpans().slice(before).length, 1);
  });

  it("should mark a failed query with its SQLSTATE", async () => {
    const before = querySpans().length;
    await assert.rejects(inSpan(() => sql`select * from no_such_table`));
    const [span] = querySpans().slice(before);
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.attributes["db.response.status_code"], "42P01");
    assert.equal(span?.attributes["error.type"], "42P01");
    assert.equal(span?.events[0]?.name, "exception");
  });

  it("should not trace queries outside a trace", async () => {
    const before = querySpans().length;
    await sql`select 1`;
    assert.equal(querySpans().length, before);
  });
});
