import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromJsonString, toBinary, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { SpanKind, trace } from "@opentelemetry/api";
import { UserCreatedSchema, UserDeletedSchema, type UserCreated } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { Hono } from "hono";
import { createLogger, type LogFields } from "../log/logger.js";
import { createTestTracer } from "../testing/create-test-tracer.js";
import type { CloudEvent } from "./cloud-event.js";
import { cloudEventFromHttp } from "./cloud-event-from-http.js";
import { cloudEventToHttp } from "./cloud-event-to-http.js";
import { createEventReceiver } from "./create-event-receiver.js";
import type { EventRuntime } from "./event-context.js";
import { reply } from "./event-reply.js";
import { on, onKafkaRecord, type Subscription } from "./subscription.js";

const encoder = new TextEncoder();
const tracing = createTestTracer();
const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

function userCreated(overrides: Partial<CloudEvent> = {}): CloudEvent {
  const data = create(UserCreatedSchema, { user: { id: "user-1", email: "ada@example.com" } });
  return {
    specversion: "1.0",
    id: crypto.randomUUID(),
    source: "/functions/identity",
    type: "kinetic.identity.user.created.v1",
    subject: "user-1",
    datacontenttype: "application/json",
    data: encoder.encode(toJsonString(UserCreatedSchema, data)),
    extensions: {},
    ...overrides,
  };
}

/** A receiver on a Hono app, with the lines it logged. */
function serve(subscriptions: Subscription[]) {
  const lines: LogFields[] = [];
  const runtime: EventRuntime = {
    log: createLogger({ level: "debug", write: (line) => void lines.push(JSON.parse(line) as LogFields) }),
    client: (() => assert.fail("no client in this test")) as EventRuntime["client"],
    source: "/functions/mailer",
  };
  const receiver = createEventReceiver({ subscriptions, runtime, tracer: tracing.tracer });
  const app = new Hono();
  receiver.routes(app);
  const post = (event: CloudEvent, headers: Record<string, string> = {}) => {
    const http = cloudEventToHttp(event);
    return app.request("/", { method: "POST", headers: { ...http.headers, ...headers }, body: http.body });
  };
  const deliveries = () => lines.filter((l) => l["msg"] === "event delivery");
  return { app, post, receiver, deliveries };
}

describe("createEventReceiver", () => {
  it("should run the handler with the decoded message and answer 202", async () => {
    const seen: { data: UserCreated; event: CloudEvent; tx: unknown }[] = [];
    const { post, deliveries } = serve([on(UserCreatedSchema, async (data, { event, tx }) => void seen.push({ data, event, tx }))]);
    const event = userCreated();
    const res = await post(event);
    assert.equal(res.status, 202);
    assert.equal(await res.text(), "");
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.data.user?.email, "ada@example.com");
    assert.equal(seen[0]?.event.id, event.id);
    assert.equal(seen[0]?.tx, undefined);
    const [line] = deliveries();
    assert.equal(line?.["level"], "info");
    assert.equal(line?.["outcome"], "handled");
    assert.equal(line?.["event_id"], event.id);
    assert.equal(line?.["dedup"], "none");
    assert.deepEqual(line?.["subscriptions"], ["identity-user-created-v1"]);
    assert.equal(typeof line?.["duration_ms"], "number");
    assert.ok(!JSON.stringify(line).includes("ada@example.com"), "the log line never holds the data");
  });

  it("should accept structured mode and binary protobuf data", async () => {
    const emails: string[] = [];
    const { app, post } = serve([on(UserCreatedSchema, async (data) => void emails.push(data.user?.email ?? ""))]);
    const bytes = toBinary(UserCreatedSchema, create(UserCreatedSchema, { user: { email: "bin@example.com" } }));
    assert.equal((await post(userCreated({ datacontenttype: "application/protobuf", data: bytes }))).status, 202);
    const envelope = {
      specversion: "1.0",
      id: "s1",
      source: "/functions/identity",
      type: "kinetic.identity.user.created.v1",
      data: { user: { email: "json@example.com" } },
    };
    const res = await app.request("/", { method: "POST", headers: { "content-type": "application/cloudevents+json" }, body: JSON.stringify(envelope) });
    assert.equal(res.status, 202);
    assert.deepEqual(emails, ["bin@example.com", "json@example.com"]);
  });

  it("should answer 400 with { code, message } naming the problem, without running a handler", async () => {
    let runs = 0;
    const { app, post, deliveries } = serve([on(UserCreatedSchema, async () => void runs++)]);
    const noId = { "ce-specversion": "1.0", "ce-source": "/s", "ce-type": "t" };
    const cases: [Response | Promise<Response>, RegExp][] = [
      [app.request("/", { method: "POST", headers: noId, body: "{}" }), /missing required attribute id/],
      [app.request("/", { method: "POST", headers: { "content-type": "application/cloudevents-batch+json" }, body: "[]" }), /batched mode is not supported/],
      [post(userCreated({ type: "kinetic.billing.invoice.paid.v1" })), /no subscription for type kinetic.billing.invoice.paid.v1$/],
      [post(userCreated({ datacontenttype: "text/plain" })), /datacontenttype "text\/plain" is not supported/],
      [post(userCreated({ data: encoder.encode("{oops") })), /data is not valid UTF-8 JSON/],
    ];
    for (const [response, message] of cases) {
      const res = await response;
      assert.equal(res.status, 400);
      const body = (await res.json()) as { code: string; message: string };
      assert.match(body.message, message);
      assert.ok(["invalid_argument", "unimplemented"].includes(body.code));
    }
    assert.equal(runs, 0);
    assert.deepEqual(deliveries().map((l) => [l["level"], l["outcome"]]), cases.map(() => ["warn", "rejected"]));
  });

  it("should route by filters and reject an event no filter accepts", async () => {
    const routed: string[] = [];
    const { post } = serve([
      on(UserCreatedSchema, async () => void routed.push("staff"), { name: "staff", filters: [{ suffix: { subject: "@staff" } }] }),
      on(UserCreatedSchema, async () => void routed.push("users"), { name: "users", filters: [{ prefix: { subject: "user-" } }] }),
      on(UserCreatedSchema, async () => void routed.push("eu"), { name: "eu", filters: [{ exact: { region: "eu" } }] }),
    ]);
    assert.equal((await post(userCreated({ subject: "user-7" }))).status, 202);
    assert.equal((await post(userCreated({ subject: "ada@staff" }))).status, 202);
    assert.equal((await post(userCreated({ subject: "x", extensions: { region: "eu" } }))).status, 202);
    const res = await post(userCreated({ subject: "robot-1" }));
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /has filters the event matches/);
    assert.deepEqual(routed, ["users", "staff", "eu"]);
  });

  it("should map handler failures to the statuses Knative retries or dead-letters", async () => {
    const cases: [unknown, number, string][] = [
      [new ConnectError("user-1 has no email", Code.InvalidArgument), 400, "invalid_argument"],
      [new ConnectError("no such user", Code.NotFound), 400, "not_found"],
      [new ConnectError("already sent", Code.AlreadyExists), 400, "already_exists"],
      [new ConnectError("mail quota", Code.ResourceExhausted), 429, "resource_exhausted"],
      [new ConnectError("smtp down", Code.Unavailable), 503, "unavailable"],
      [new ConnectError("conflict", Code.Aborted), 500, "aborted"],
      [new Error("boom"), 500, "unknown"],
    ];
    for (const [error, status, code] of cases) {
      const { post, deliveries } = serve([on(UserCreatedSchema, async () => Promise.reject(error))]);
      const res = await post(userCreated());
      assert.equal(res.status, status, code);
      assert.equal(((await res.json()) as { code: string }).code, code);
      assert.equal(deliveries()[0]?.["level"], status >= 500 ? "error" : "warn");
    }
  });

  it("should answer 200 with the reply event in binary mode", async () => {
    const { post } = serve([on(UserCreatedSchema, async (data) => reply(UserDeletedSchema, { userId: data.user?.id ?? "" }, { subject: data.user?.id }))]);
    const incoming = userCreated();
    const res = await post(incoming, { traceparent });
    assert.equal(res.status, 200);
    const replied = cloudEventFromHttp(res.headers, new Uint8Array(await res.arrayBuffer()));
    assert.equal(replied.type, "kinetic.identity.user.deleted.v1");
    assert.equal(replied.source, "/functions/mailer");
    assert.equal(replied.subject, "user-1");
    assert.notEqual(replied.id, incoming.id);
    assert.ok(replied.time !== undefined && Math.abs(Date.parse(replied.time) - Date.now()) < 5000);
    assert.equal(fromJsonString(UserDeletedSchema, new TextDecoder().decode(replied.data)).userId, "user-1");
    assert.match(replied.extensions["traceparent"] ?? "", /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  });

  it("should hand KafkaSource-wrapped records to onKafkaRecord as raw bytes", async () => {
    const values: [string, string | undefined][] = [];
    const { post } = serve([
      onKafkaRecord(async (value, { event }) => void values.push([new TextDecoder().decode(value), event.extensions["key"]]), {
        filters: [{ suffix: { source: "#audit" } }],
      }),
    ]);
    const record: CloudEvent = {
      specversion: "1.0",
      id: "partition:0/offset:42",
      source: "/apis/v1/namespaces/default/kafkasources/audit#audit",
      type: "dev.knative.kafka.event",
      subject: "partition:0#42",
      data: encoder.encode("plain text, not JSON"),
      extensions: { key: "tenant-1" },
    };
    assert.equal((await post(record)).status, 202);
    assert.deepEqual(values, [["plain text, not JSON", "tenant-1"]]);
  });

  it("should continue the traceparent header, else the event's traceparent extension, in a CONSUMER span", async () => {
    const active: (string | undefined)[] = [];
    const { post, deliveries } = serve([on(UserCreatedSchema, async () => void active.push(trace.getActiveSpan()?.spanContext().traceId))]);
    const fromHeader = userCreated();
    await post(fromHeader, { traceparent });
    const fromExtension = userCreated({ extensions: { traceparent: "00-1234567890abcdef1234567890abcdef-1234567890abcdef-01" } });
    await post(fromExtension);
    assert.deepEqual(active, ["0af7651916cd43dd8448eb211c80319c", "1234567890abcdef1234567890abcdef"]);
    const spans = tracing.spans().filter((s) => s.attributes["cloudevents.event_id"] === fromHeader.id);
    assert.equal(spans.length, 1);
    const [span] = spans;
    assert.equal(span?.name, "process kinetic.identity.user.created.v1");
    assert.equal(span?.kind, SpanKind.CONSUMER);
    assert.equal(span?.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
    assert.equal(span?.parentSpanContext?.spanId, "b7ad6b7169203331");
    assert.equal(span?.attributes["http.response.status_code"], 202);
    assert.equal(deliveries()[0]?.["trace_id"], "0af7651916cd43dd8448eb211c80319c");
  });

  it("should run the handler again on a redelivery when there is neither Postgres nor Redis", async () => {
    let runs = 0;
    const { post } = serve([on(UserCreatedSchema, async () => void runs++)]);
    const event = userCreated();
    await post(event);
    await post(event);
    assert.equal(runs, 2);
  });

  it("should wait for deliveries in flight on close, then answer 503", async () => {
    let release = () => undefined as void;
    let started = () => undefined as void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { post, receiver } = serve([
      on(UserCreatedSchema, () => {
        started();
        return new Promise<void>((resolve) => (release = resolve));
      }),
    ]);
    const inFlight = post(userCreated());
    await running;
    const closed = receiver.close();
    assert.equal((await post(userCreated())).status, 503);
    release();
    await closed;
    assert.equal((await inFlight).status, 202);
  });
});
