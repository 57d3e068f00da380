import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { triggerFiltersMatch, validateTriggerFilters } from "./trigger-filters-match.js";

const attributes = { type: "kinetic.identity.user.created.v1", source: "/functions/identity", subject: "user-7", partitionkey: "user-7" };

describe("triggerFiltersMatch", () => {
  it("should pass every event when there are no filters", () => {
    assert.equal(triggerFiltersMatch([], attributes), true);
  });

  it("should AND the expressions, and every attribute within one", () => {
    assert.equal(triggerFiltersMatch([{ exact: { type: attributes.type } }, { prefix: { subject: "user-" } }], attributes), true);
    assert.equal(triggerFiltersMatch([{ exact: { type: attributes.type } }, { prefix: { subject: "admin-" } }], attributes), false);
    assert.equal(triggerFiltersMatch([{ exact: { type: attributes.type, source: "/functions/auth" } }], attributes), false);
  });

  it("should compare case-sensitively, match suffixes and extensions, and fail on a missing attribute", () => {
    assert.equal(triggerFiltersMatch([{ suffix: { source: "/identity" } }], attributes), true);
    assert.equal(triggerFiltersMatch([{ exact: { subject: "USER-7" } }], attributes), false);
    assert.equal(triggerFiltersMatch([{ exact: { partitionkey: "user-7" } }], attributes), true);
    assert.equal(triggerFiltersMatch([{ prefix: { dataschema: "h" } }], attributes), false);
  });

  it("should combine nested expressions with all, any and not", () => {
    const any = { any: [{ exact: { subject: "user-1" } }, { suffix: { subject: "-7" } }] };
    assert.equal(triggerFiltersMatch([any], attributes), true);
    assert.equal(triggerFiltersMatch([{ not: any }], attributes), false);
    assert.equal(triggerFiltersMatch([{ all: [any, { exact: { type: "other" } }] }], attributes), false);
  });
});

describe("validateTriggerFilters", () => {
  it("should reject CESQL, two dialects in one expression, empty all and empty prefixes", () => {
    assert.throws(() => validateTriggerFilters("t", [{ cesql: "subject = 'a'" }]), /CESQL filters are not supported/);
    assert.throws(() => validateTriggerFilters("t", [{ exact: { a: "1" }, prefix: { b: "2" } }]), /exactly one dialect/);
    assert.throws(() => validateTriggerFilters("t", [{ all: [] }]), /all needs at least one expression/);
    assert.throws(() => validateTriggerFilters("t", [{ not: { prefix: { subject: "" } } }]), /non-empty names and values/);
    assert.doesNotThrow(() => validateTriggerFilters("t", [{ exact: { subject: "" } }, { any: [{ suffix: { source: "x" } }] }]));
  });
});
