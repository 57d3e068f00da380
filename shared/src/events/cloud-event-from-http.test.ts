import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import type { CloudEvent } from "./cloud-event.js";
import { cloudEventFromHttp } from "./cloud-event-from-http.js";
import { cloudEventToHttp } from "./cloud-event-to-http.js";

const encoder = new TextEncoder();
const required = { "ce-specversion": "1.0", "ce-id": "42", "ce-source": "/functions/identity", "ce-type": "kinetic.identity.user.created.v1" };

function binary(headers: Record<string, string>, body = "{}"): CloudEvent {
  return cloudEventFromHttp(new Headers(headers), encoder.encode(body));
}

function structured(envelope: unknown, contentType = "application/cloudevents+json; charset=utf-8"): CloudEvent {
  const body = typeof envelope === "string" ? envelope : JSON.stringify(envelope);
  return cloudEventFromHttp(new Headers({ "content-type": contentType }), encoder.encode(body));
}

/** Asserts `run` throws a ConnectError with `code` whose message matches `message`. */
function rejects(run: () => unknown, message: RegExp, code = Code.InvalidArgument): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof ConnectError, `expected a ConnectError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.rawMessage, message);
    return true;
  });
}

describe("cloudEventFromHttp in binary mode", () => {
  it("should read attributes, extensions, content type and data", () => {
    const event = binary(
      {
        ...required,
        "ce-subject": "user-1",
        "ce-time": "2025-01-02T03:04:05.678Z",
        "ce-dataschema": "https://kinetic.dev/schemas/user-created",
        "ce-traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "ce-knativearrivaltime": "2025-01-02T03:04:06Z",
        "content-type": "application/json",
        "x-request-id": "not an attribute",
      },
      '{"user":{"id":"1"}}',
    );
    assert.deepEqual({ ...event, data: new TextDecoder().decode(event.data) }, {
      specversion: "1.0",
      id: "42",
      source: "/functions/identity",
      type: "kinetic.identity.user.created.v1",
      subject: "user-1",
      time: "2025-01-02T03:04:05.678Z",
      datacontenttype: "application/json",
      dataschema: "https://kinetic.dev/schemas/user-created",
      data: '{"user":{"id":"1"}}',
      extensions: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", knativearrivaltime: "2025-01-02T03:04:06Z" },
    });
  });

  it("should read header names case-insensitively and leave datacontenttype unset without content-type", () => {
    const event = binary({ "CE-SpecVersion": "1.0", "Ce-Id": "1", "CE-SOURCE": "/s", "ce-Type": "t" }, "");
    assert.equal(event.id, "1");
    assert.equal(event.datacontenttype, undefined);
    assert.equal(event.data.length, 0);
  });

  it("should percent-decode values as UTF-8, accepting lower-case hex and RFC 7230 quoting", () => {
    const event = binary({ ...required, "ce-subject": "Euro%20%e2%82%ac%20%F0%9F%98%80", "ce-note": '"a \\"quoted\\" 100%25"' });
    assert.equal(event.subject, "Euro € 😀");
    assert.equal(event.extensions["note"], 'a "quoted" 100%');
  });

  it("should reject malformed percent-encoding and invalid UTF-8, naming the attribute", () => {
    rejects(() => binary({ ...required, "ce-subject": "100%" }), /attribute subject is not validly percent-encoded UTF-8/);
    rejects(() => binary({ ...required, "ce-subject": "%C0%A0" }), /attribute subject/); // overlong space
  });

  for (const name of ["id", "source", "type"] as const) {
    it(`should reject a missing or empty ${name}`, () => {
      const rest: Record<string, string> = { ...required };
      delete rest[`ce-${name}`];
      rejects(() => binary(rest), new RegExp(`missing required attribute ${name}$`));
      rejects(() => binary({ ...required, [`ce-${name}`]: "" }), new RegExp(`attribute ${name} must not be empty`));
    });
  }

  it("should reject a request without ce-specversion as not a CloudEvent", () => {
    rejects(() => binary({ "content-type": "application/json" }), /missing required attribute specversion: not a CloudEvent/);
  });

  it("should reject a specversion other than 1.0", () => {
    rejects(() => binary({ ...required, "ce-specversion": "0.3" }), /specversion "0.3" is not supported/);
  });

  it("should reject a malformed time, a relative dataschema, an empty subject and bad attribute names", () => {
    rejects(() => binary({ ...required, "ce-time": "yesterday" }), /attribute time must be an RFC 3339 timestamp/);
    rejects(() => binary({ ...required, "ce-time": "2025-13-45T99:00:00Z" }), /attribute time/);
    rejects(() => binary({ ...required, "ce-dataschema": "/relative" }), /attribute dataschema must be an absolute URI/);
    rejects(() => binary({ ...required, "ce-subject": "" }), /attribute subject must not be empty/);
    rejects(() => binary({ ...required, "ce-my-ext": "x" }), /attribute name "my-ext" is invalid/);
    rejects(() => binary({ ...required, "ce-subject": "a%0Ab" }), /attribute subject contains a control character/);
  });

  it("should reject ce-datacontenttype, which content-type carries in binary mode", () => {
    rejects(() => binary({ ...required, "ce-datacontenttype": "application/json" }), /ce-datacontenttype must not be sent/);
  });
});

describe("cloudEventFromHttp in structured mode", () => {
  const envelope = { specversion: "1.0", id: "7", source: "/functions/identity", type: "kinetic.identity.user.created.v1" };

  it("should read a JSON envelope with JSON data, unicode and typed extensions", () => {
    const event = structured({ ...envelope, subject: "usér-ü 🚀", count: 3, urgent: true, gone: null, time: null, data: { user: { id: "1" } } });
    assert.equal(event.subject, "usér-ü 🚀");
    assert.equal(event.time, undefined);
    assert.equal(event.datacontenttype, undefined);
    assert.deepEqual(event.extensions, { count: "3", urgent: "true" });
    assert.equal(new TextDecoder().decode(event.data), '{"user":{"id":"1"}}');
  });

  it("should decode data_base64 to bytes and keep string data of a non-JSON type as text", () => {
    const bytes = structured({ ...envelope, datacontenttype: "application/protobuf", data_base64: "CgMKATE=" });
    assert.deepEqual([...bytes.data], [...Buffer.from("CgMKATE=", "base64")]);
    assert.equal(bytes.datacontenttype, "application/protobuf");
    const text = structured({ ...envelope, datacontenttype: "text/plain", data: "héllo" });
    assert.equal(new TextDecoder().decode(text.data), "héllo");
    const jsonString = structured({ ...envelope, datacontenttype: "application/json", data: "héllo" });
    assert.equal(new TextDecoder().decode(jsonString.data), '"héllo"');
  });

  it("should reject malformed envelopes, naming what is wrong", () => {
    rejects(() => structured("{not json"), /structured event is not valid UTF-8 JSON/);
    rejects(() => structured([envelope]), /must be a JSON object/);
    rejects(() => structured({ ...envelope, id: 7 }), /attribute id must be a JSON string/);
    rejects(() => structured({ ...envelope, ext: { a: 1 } }), /attribute ext must be a string, an integer or a boolean/);
    rejects(() => structured({ ...envelope, data: {}, data_base64: "" }), /data and data_base64 are mutually exclusive/);
    rejects(() => structured({ ...envelope, data_base64: "not base64!" }), /data_base64 must be a base64 string/);
    rejects(() => structured({ ...envelope, specversion: "0.3" }), /specversion "0.3" is not supported/);
    const { source: _, ...noSource } = envelope;
    rejects(() => structured(noSource), /missing required attribute source/);
  });

  it("should refuse batched mode and other event formats", () => {
    rejects(() => structured([envelope], "application/cloudevents-batch+json"), /batched mode is not supported/, Code.Unimplemented);
    rejects(() => structured(envelope, "application/cloudevents+avro"), /event format application\/cloudevents\+avro is not supported/, Code.Unimplemented);
  });
});

describe("cloudEventToHttp", () => {
  it("should percent-encode values so cloudEventFromHttp reads the event back unchanged", () => {
    const event: CloudEvent = {
      specversion: "1.0",
      id: "id with spaces",
      source: "/functions/identity",
      type: "kinetic.identity.user.created.v1",
      subject: 'Euro € 😀 "100%"',
      time: "2025-01-02T03:04:05Z",
      datacontenttype: "application/protobuf",
      dataschema: undefined,
      data: new Uint8Array([10, 3, 10, 1, 49]),
      extensions: { partitionkey: "user-1" },
    };
    const { headers, body } = cloudEventToHttp(event);
    assert.equal(headers["ce-subject"], "Euro%20%E2%82%AC%20%F0%9F%98%80%20%22100%25%22");
    assert.equal(headers["content-type"], "application/protobuf");
    assert.equal(headers["ce-dataschema"], undefined);
    assert.deepEqual(cloudEventFromHttp(new Headers(headers), body), event);
  });
});
