import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CloudEvent } from "./cloud-event.js";
import { eventMatchesFilters, validateEventFilters, type EventFilter } from "./event-filter.js";

const event: CloudEvent = {
  specversion: "1.0",
  id: "1",
  source: "/functions/identity",
  type: "kinetic.identity.user.created.v1",
  subject: "user-42",
  data: new Uint8Array(),
  extensions: { region: "eu-west-1" },
};

describe("eventMatchesFilters", () => {
  it("should match every event when there is no filter", () => {
    assert.equal(eventMatchesFilters(event, []), true);
  });

  it("should match exact, prefix and suffix on attributes and extensions, case-sensitively", () => {
    const cases: [EventFilter, boolean][] = [
      [{ exact: { subject: "user-42" } }, true],
      [{ exact: { subject: "User-42" } }, false],
      [{ prefix: { subject: "user-" } }, true],
      [{ prefix: { subject: "order-" } }, false],
      [{ suffix: { source: "/identity" } }, true],
      [{ suffix: { region: "-1" } }, true],
      [{ exact: { type: "kinetic.identity.user.created.v1", source: "/functions/identity" } }, true],
      [{ exact: { type: "kinetic.identity.user.created.v1", source: "/functions/auth" } }, false],
    ];
    for (const [filter, expected] of cases) assert.equal(eventMatchesFilters(event, [filter]), expected, JSON.stringify(filter));
  });

  it("should AND the expressions and fail on an attribute the event lacks", () => {
    assert.equal(eventMatchesFilters(event, [{ prefix: { subject: "user-" } }, { suffix: { subject: "42" } }]), true);
    assert.equal(eventMatchesFilters(event, [{ prefix: { subject: "user-" } }, { suffix: { subject: "43" } }]), false);
    assert.equal(eventMatchesFilters(event, [{ exact: { tenant: "" } }]), false);
  });
});

describe("validateEventFilters", () => {
  it("should reject filters Knative would reject, naming the subscription", () => {
    const bad: unknown[] = [
      { exact: { subject: "a" }, prefix: { subject: "b" } },
      { cesql: "subject = 'a'" },
      { prefix: {} },
      { prefix: { subject: "" } },
      { exact: { "Sub-ject": "a" } },
    ];
    for (const filter of bad) {
      assert.throws(() => validateEventFilters("welcome", [filter as EventFilter]), /subscription "welcome"/, JSON.stringify(filter));
    }
    assert.doesNotThrow(() => validateEventFilters("welcome", [{ exact: { subject: "" } }]));
  });
});
