import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { create, toJsonString, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate, timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { AuditService, type AuditEvent, type QueryRequest } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { LoginFailedSchema, LoginSucceededSchema } from "@kinetic/contracts/kinetic/auth/v1/events_pb.js";
import { UserCreatedSchema, UserDeletedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { cloudEventToHttp, eventTypeOf } from "@kinetic/runtime";
import { createTestDatabase, startFunction, waitFor, type StartedFunction, rejectsWith } from "@kinetic/runtime/testing";
import postgres from "postgres";
import audit from "./index.js";

const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";


describe("audit", () => {
  let server: StartedFunction;
  let client: Client<typeof AuditService>;
  let sessionManager: Http2SessionManager;
  let databaseUrl: string;
  let dropDatabase: () => Promise<void>;
  before(async () => {
    const db = await createTestDatabase();
    databaseUrl = db.url;
    dropDatabase = db.drop;
    server = await startFunction(audit, { DATABASE_URL: db.url, AUDIT_TAIL_BUFFER: "5" });
    sessionManager = new Http2SessionManager(server.url);
    client = createClient(AuditService, createConnectTransport({ baseUrl: server.url, httpVersion: "2", sessionManager }));
  });
  after(async () => {
    sessionManager.abort();
    await server.close();
    await dropDatabase();
  });

  /** Delivers an event as Knative's dispatcher does: POST / in binary mode, protobuf JSON data. */
  async function deliver<T extends DescMessage>(
    schema: T,
    data: MessageInitShape<T>,
    { id = randomUUID(), source = "/functions/identity", subject = "", time = new Date().toISOString(), actor = "user-1" } = {},
  ) {
    const { headers, body } = cloudEventToHttp({
      specversion: "1.0",
      id,
      source,
      type: eventTypeOf(schema),
      ...(subject === "" ? {} : { subject }),
      time,
      datacontenttype: "application/json",
      data: new TextEncoder().encode(toJsonString(schema, create(schema, data))),
      extensions: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, actor },
    });
    return fetch(`${server.url}/`, { method: "POST", headers, body });
  }

  async function queryAll(req: Partial<Pick<QueryRequest, "typePrefix" | "subject" | "startTime" | "endTime">>, pageSize: number): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let pageToken = "";
    do {
      const page = await client.query({ ...req, pageSize, pageToken });
      assert.ok(page.events.length <= pageSize);
      events.push(...page.events);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return events;
  }

  /** Resolves once the function logged `msg` with these fields, after `from` lines. */
  const logged = (msg: string, fields: Record<string, unknown>, from = 0) =>
    waitFor(() => server.logs.slice(from).find((l) => l["msg"] === msg && Object.entries(fields).every(([k, v]) => l[k] === v)), 5000, msg);

  it("should record a delivered event with its attributes, actor, trace id and data", async () => {
    const subject = randomUUID();
    const time = "2030-05-01T12:00:00.123Z";
    const response = await deliver(UserCreatedSchema, { user: { id: subject, email: "ada@example.com" } }, { subject, time });
    assert.equal(response.status, 202, await response.text());
    const { events } = await client.query({ subject });
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event?.type, "kinetic.identity.user.created.v1");
    assert.equal(event?.source, "/functions/identity");
    assert.equal(event?.subject, subject);
    assert.equal(timestampDate(event!.time!).toISOString(), time);
    assert.equal(event?.actor, "user-1");
    assert.equal(event?.traceId, traceId);
    assert.deepEqual(event?.data, { user: { id: subject, email: "ada@example.com" } });
    assert.ok(event?.recordTime);
  });

  it("should record an event delivered twice once, even when the inbox forgot it", async () => {
    const subject = randomUUID();
    const id = randomUUID();
    for (let i = 0; i < 2; i++) assert.equal((await deliver(UserDeletedSchema, { userId: subject }, { id, subject })).status, 202);
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      await admin`delete from audit.kinetic_inbox where id = ${id}`;
    } finally {
      await admin.end();
    }
    assert.equal((await deliver(UserDeletedSchema, { userId: subject }, { id, subject })).status, 202);
    assert.equal((await client.query({ subject })).events.length, 1);
  });

  it("should page through every match of type prefix, subject and time range exactly once, in recording order", async () => {
    const subject = randomUUID();
    const minute = (m: number) => new Date(Date.UTC(2031, 0, 1, 0, m)).toISOString();
    const ids: string[] = [];
    for (let m = 0; m < 8; m++) {
      const id = randomUUID();
      ids.push(id);
      const response =
        m % 2 === 0
          ? await deliver(UserCreatedSchema, { user: { id: subject } }, { id, subject, time: minute(m) })
          : await deliver(LoginSucceededSchema, { userId: subject }, { id, subject, time: minute(m), source: "/functions/auth" });
      assert.equal(response.status, 202);
    }
    assert.deepEqual((await queryAll({ subject }, 3)).map((e) => e.id), ids);
    assert.deepEqual((await queryAll({ subject, typePrefix: "kinetic.identity." }, 3)).map((e) => e.id), ids.filter((_, m) => m % 2 === 0));
    assert.deepEqual((await queryAll({ subject, typePrefix: "kinetic.auth.login." }, 1)).map((e) => e.id), ids.filter((_, m) => m % 2 === 1));
    const range = { subject, startTime: timestampFromDate(new Date(minute(2))), endTime: timestampFromDate(new Date(minute(6))) };
    assert.deepEqual((await queryAll(range, 2)).map((e) => e.id), ids.slice(2, 6));
    assert.deepEqual(await queryAll({ subject, typePrefix: "kinetic_identity" }, 3), [], "_ in a prefix is literal");
    assert.deepEqual(await queryAll({ subject, typePrefix: "%" }, 3), [], "% in a prefix is literal");
  });

  it("should reject a page token used with other filters, and bad requests, with invalid_argument", async () => {
    const subject = randomUUID();
    for (let i = 0; i < 3; i++) await deliver(UserDeletedSchema, { userId: subject }, { subject });
    const { nextPageToken } = await client.query({ subject, pageSize: 1 });
    assert.notEqual(nextPageToken, "");
    await assert.rejects(client.query({ subject: randomUUID(), pageSize: 1, pageToken: nextPageToken }), rejectsWith(Code.InvalidArgument, /page_token.*other filters/));
    await assert.rejects(client.query({ subject, typePrefix: "kinetic.", pageToken: nextPageToken }), rejectsWith(Code.InvalidArgument, /page_token/));
    await assert.rejects(client.query({ pageToken: "bm9wZQ" }), rejectsWith(Code.InvalidArgument, /page_token/));
    await assert.rejects(client.query({ pageSize: 5000 }), rejectsWith(Code.InvalidArgument, /page_size/));
    const now = timestampFromDate(new Date());
    await assert.rejects(client.query({ startTime: now, endTime: now }), rejectsWith(Code.InvalidArgument, /end_time/));
  });

  it("should stream live events whose type matches the prefix, and forget the stream when the client cancels", async () => {
    const subject = randomUUID();
    const controller = new AbortController();
    const from = server.logs.length;
    const stream = client.tail({ typePrefix: "kinetic.auth." }, { signal: controller.signal })[Symbol.asyncIterator]();
    const first = stream.next();
    await logged("tail subscriber joined", { type_prefix: "kinetic.auth." }, from);
    await deliver(UserCreatedSchema, { user: { id: subject } }, { subject });
    await deliver(LoginFailedSchema, { reason: "credentials" }, { subject, source: "/functions/auth" });
    await deliver(LoginSucceededSchema, { userId: subject }, { subject, source: "/functions/auth" });
    const received = [(await first).value?.event, (await stream.next()).value?.event];
    assert.deepEqual(received.map((e) => e?.type), ["kinetic.auth.login.failed.v1", "kinetic.auth.login.succeeded.v1"]);
    assert.deepEqual(received[0]?.data, { reason: "credentials" });
    assert.equal(received[0]?.traceId, traceId);
    controller.abort();
    await assert.rejects(stream.next(), rejectsWith(Code.Canceled, /./));
    await logged("tail subscriber left", { reason: "cancelled", subscribers: 0 }, from);
  });

  it("should cut off a consumer that stops reading with resource_exhausted, and hold none of its events", async () => {
    const subject = randomUUID();
    const from = server.logs.length;
    // Large, incompressible events fill HTTP/2 flow control at once, so the server's queue is what fills up.
    const stream = client.tail({ typePrefix: "kinetic.identity.user.created." })[Symbol.asyncIterator]();
    await logged("tail subscriber joined", { type_prefix: "kinetic.identity.user.created." }, from);
    for (let i = 0; i < 20; i++) {
      assert.equal((await deliver(UserCreatedSchema, { user: { id: subject, displayName: randomBytes(48 * 1024).toString("base64") } }, { subject })).status, 202);
    }
    await logged("tail subscriber cut off", { reason: "fell behind", code: "ResourceExhausted", subscribers: 0 }, from);
    let received = 0;
    const err = await (async () => {
      for (let r = await stream.next(); !r.done; r = await stream.next()) received++;
    })().then(
      () => assert.fail("the stream should end with an error"),
      (e: unknown) => ConnectError.from(e),
    );
    assert.equal(err.code, Code.ResourceExhausted);
    assert.match(err.rawMessage, /fell more than 5 events behind; reconnect and resume with Query/);
    assert.ok(received < 20, `only what was already on its way arrives (${received})`);
  });

  it("should answer 400 to an event type it does not audit, a malformed event and undecodable data", async () => {
    const post = (headers: Record<string, string>, body: string) => fetch(`${server.url}/`, { method: "POST", headers, body });
    const base = { "ce-specversion": "1.0", "ce-id": randomUUID(), "ce-source": "/functions/identity", "content-type": "application/json" };
    const unknownType = await post({ ...base, "ce-type": "kinetic.nobody.thing.v1" }, "{}");
    assert.equal(unknownType.status, 400);
    assert.match(((await unknownType.json()) as { message: string }).message, /no subscription for type kinetic\.nobody\.thing\.v1/);
    const { "ce-id": _id, ...withoutId } = base;
    assert.equal((await post({ ...withoutId, "ce-type": "kinetic.identity.user.created.v1" }, "{}")).status, 400);
    assert.equal((await post({ ...base, "ce-type": "kinetic.identity.user.created.v1" }, "{not json")).status, 400);
    assert.equal((await post({ ...base, "ce-type": "kinetic.identity.user.created.v1" }, '{"user":5}')).status, 400);
  });
});
