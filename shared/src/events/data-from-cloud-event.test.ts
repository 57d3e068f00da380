import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { UserCreatedSchema, UserUpdatedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import type { CloudEvent } from "./cloud-event.js";
import { dataFromCloudEvent } from "./data-from-cloud-event.js";

const encoder = new TextEncoder();

function eventWith(data: Uint8Array | string, datacontenttype?: string): CloudEvent {
  return {
    specversion: "1.0",
    id: "1",
    source: "/functions/identity",
    type: "kinetic.identity.user.created.v1",
    datacontenttype,
    data: typeof data === "string" ? encoder.encode(data) : data,
    extensions: {},
  };
}

function rejects(run: () => unknown, message: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof ConnectError);
    assert.equal(err.code, Code.InvalidArgument);
    assert.match(err.rawMessage, message);
    return true;
  });
}

describe("dataFromCloudEvent", () => {
  it("should decode protobuf JSON, with either field name casing and unknown fields ignored", () => {
    const json = '{"user":{"id":"u1","display_name":"Ada","addedLater":true},"changedPaths":["display_name"]}';
    const updated = dataFromCloudEvent(UserUpdatedSchema, eventWith(json, "application/json; charset=utf-8"));
    assert.equal(updated.user?.id, "u1");
    assert.equal(updated.user?.displayName, "Ada");
    assert.deepEqual(updated.changedPaths, ["display_name"]);
  });

  it("should take data without datacontenttype as JSON, the CloudEvents default", () => {
    assert.equal(dataFromCloudEvent(UserCreatedSchema, eventWith('{"user":{"id":"u2"}}')).user?.id, "u2");
  });

  it("should decode binary protobuf under both media types", () => {
    const bytes = toBinary(UserCreatedSchema, create(UserCreatedSchema, { user: { id: "u3", email: "ada@example.com" } }));
    for (const type of ["application/protobuf", "application/x-protobuf"]) {
      const created = dataFromCloudEvent(UserCreatedSchema, eventWith(bytes, type));
      assert.equal(created.user?.email, "ada@example.com");
    }
  });

  it("should reject another content type, naming it", () => {
    rejects(() => dataFromCloudEvent(UserCreatedSchema, eventWith("<xml/>", "text/xml")), /datacontenttype "text\/xml" is not supported/);
  });

  it("should reject malformed or empty data without quoting it", () => {
    rejects(() => dataFromCloudEvent(UserCreatedSchema, eventWith("{secret")), /^data is not valid UTF-8 JSON$/);
    assert.throws(
      () => dataFromCloudEvent(UserCreatedSchema, eventWith('{"user":{"id":"secret-value","email":42}}')),
      (err: ConnectError) => /data is not a valid kinetic\.identity\.v1\.UserCreated in JSON/.test(err.rawMessage) && !err.rawMessage.includes("42"),
    );
    rejects(() => dataFromCloudEvent(UserCreatedSchema, eventWith("")), /data is empty/);
    rejects(() => dataFromCloudEvent(UserCreatedSchema, eventWith(new Uint8Array([0x0a, 0x05, 0x01]), "application/protobuf")), /in protobuf binary/);
  });
});
