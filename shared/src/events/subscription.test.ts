import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromJsonString } from "@bufbuild/protobuf";
import { UserCreatedSchema, UserDeletedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { UserSchema } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { reply } from "./event-reply.js";
import { kafkaRecordEventType, on, onKafkaRecord } from "./subscription.js";
import { validateSubscriptions } from "./validate-subscriptions.js";

const handler = async () => undefined;

describe("on", () => {
  it("should read the type from the message and fill in every default", () => {
    const subscription = on(UserCreatedSchema, handler);
    assert.equal(subscription.schema, UserCreatedSchema);
    assert.equal(subscription.type, "kinetic.identity.user.created.v1");
    assert.equal(subscription.name, "identity-user-created-v1");
    assert.deepEqual(subscription.filters, []);
    assert.equal(subscription.ordered, true);
    assert.deepEqual(subscription.delivery, { retry: 5, backoffPolicy: "exponential", backoffDelay: "PT0.2S", deadLetter: true });
  });

  it("should keep the options given", () => {
    const subscription = on(UserDeletedSchema, handler, {
      name: "forget-user",
      filters: [{ prefix: { subject: "user-" } }],
      ordered: false,
      delivery: { retry: 0, backoffPolicy: "linear", backoffDelay: "PT1M30S", deadLetter: false },
    });
    assert.equal(subscription.name, "forget-user");
    assert.equal(subscription.ordered, false);
    assert.deepEqual(subscription.delivery, { retry: 0, backoffPolicy: "linear", backoffDelay: "PT1M30S", deadLetter: false });
  });

  it("should throw a TypeError for a message that is not an event", () => {
    assert.throws(() => on(UserSchema, handler), { name: "TypeError", message: /kinetic\.identity\.v1\.User is not an event/ });
  });

  it("should throw a TypeError for a bad name, filter or delivery spec", () => {
    assert.throws(() => on(UserCreatedSchema, handler, { name: "Welcome_Mail" }), /must be a DNS-1035 label/);
    assert.throws(() => on(UserCreatedSchema, handler, { filters: [{ prefix: { subject: "" } }] }), /needs a non-empty string/);
    assert.throws(() => on(UserCreatedSchema, handler, { delivery: { retry: -1 } }), /delivery.retry/);
    assert.throws(() => on(UserCreatedSchema, handler, { delivery: { backoffDelay: "200ms" } }), /delivery.backoffDelay/);
  });
});

describe("onKafkaRecord", () => {
  it("should subscribe to KafkaSource's wrapper type with no schema", () => {
    const subscription = onKafkaRecord(handler, { filters: [{ suffix: { source: "#audit" } }] });
    assert.equal(subscription.type, kafkaRecordEventType);
    assert.equal(subscription.schema, undefined);
    assert.equal(subscription.name, "kafka-record");
  });
});

describe("validateSubscriptions", () => {
  it("should reject two subscriptions with one name", () => {
    assert.doesNotThrow(() => validateSubscriptions([on(UserCreatedSchema, handler), on(UserDeletedSchema, handler)]));
    assert.throws(
      () => validateSubscriptions([on(UserCreatedSchema, handler), on(UserCreatedSchema, handler, { filters: [{ prefix: { subject: "a" } }] })]),
      { name: "TypeError", message: /two subscriptions are named "identity-user-created-v1"/ },
    );
  });
});

describe("reply", () => {
  it("should encode the message as protobuf JSON with its event type", () => {
    const event = reply(UserDeletedSchema, { userId: "u1" }, { subject: "u1" });
    assert.equal(event.type, "kinetic.identity.user.deleted.v1");
    assert.equal(event.subject, "u1");
    assert.equal(event.datacontenttype, "application/json");
    assert.equal(fromJsonString(UserDeletedSchema, new TextDecoder().decode(event.data)).userId, "u1");
    assert.throws(() => reply(UserSchema, {}), TypeError);
  });
});
