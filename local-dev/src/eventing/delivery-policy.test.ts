import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelayMs, deliveryPolicyOf } from "./delivery-policy.js";
import { millisFromIsoDuration } from "./millis-from-iso-duration.js";

const deadLetterSink = { ref: { apiVersion: "eventing.knative.dev/v1alpha1", kind: "KafkaSink", name: "kinetic-dead-letters" } };

describe("deliveryPolicyOf", () => {
  it("should read a trigger's delivery spec", () => {
    assert.deepEqual(deliveryPolicyOf("t", { retry: 5, backoffPolicy: "linear", backoffDelay: "PT0.2S", deadLetterSink }, undefined), {
      retry: 5,
      backoffPolicy: "linear",
      backoffDelayMs: 200,
      deadLetter: true,
      timeoutMs: undefined,
    });
  });

  it("should fall back to the broker's spec field by field, as the Kafka Broker merges them", () => {
    const broker = { retry: 3, backoffPolicy: "linear", backoffDelay: "PT2S", timeout: "PT10S", deadLetterSink };
    assert.deepEqual(deliveryPolicyOf("t", { retry: 0, backoffDelay: "PT0.5S" }, broker), {
      retry: 3,
      backoffPolicy: "exponential",
      backoffDelayMs: 500,
      deadLetter: true,
      timeoutMs: 10_000,
    });
    assert.equal(deliveryPolicyOf("t", undefined, broker).backoffPolicy, "linear", "no trigger spec: the broker's whole");
  });

  it("should mean one attempt and no dead letters without any delivery spec", () => {
    const policy = deliveryPolicyOf("t", undefined, undefined);
    assert.equal(policy.retry, 0);
    assert.equal(policy.deadLetter, false);
  });

  it("should reject a negative retry, an unknown policy and a bad duration, naming the trigger", () => {
    assert.throws(() => deliveryPolicyOf("audit-users", { retry: -1 }, undefined), /trigger audit-users: delivery.retry/);
    assert.throws(() => deliveryPolicyOf("t", { backoffPolicy: "random" }, undefined), /backoffPolicy must be/);
    assert.throws(() => deliveryPolicyOf("t", { backoffDelay: "0.2s" }, undefined), /delivery.backoffDelay: "0.2s" is not an ISO-8601 duration/);
  });
});

describe("backoffDelayMs", () => {
  it("should double the delay per retry when exponential and add it when linear", () => {
    assert.deepEqual([1, 2, 3].map((n) => backoffDelayMs({ backoffPolicy: "exponential", backoffDelayMs: 200 }, n)), [400, 800, 1600]);
    assert.deepEqual([1, 2, 3].map((n) => backoffDelayMs({ backoffPolicy: "linear", backoffDelayMs: 200 }, n)), [200, 400, 600]);
  });
});

describe("millisFromIsoDuration", () => {
  it("should read weeks, days, hours, minutes and fractional seconds", () => {
    assert.equal(millisFromIsoDuration("PT0.2S"), 200);
    assert.equal(millisFromIsoDuration("PT1M30S"), 90_000);
    assert.equal(millisFromIsoDuration("P1DT1H"), 90_000_000);
    assert.equal(millisFromIsoDuration("P1W"), 604_800_000);
  });

  it("should reject months, years, empty and malformed durations", () => {
    for (const bad of ["P1M", "P1Y", "P", "PT", "PT1.S", "1S", "PT-1S"]) assert.throws(() => millisFromIsoDuration(bad), TypeError, bad);
  });
});
