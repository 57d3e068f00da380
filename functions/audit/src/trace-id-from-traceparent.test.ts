import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { traceIdFromTraceparent } from "./trace-id-from-traceparent.js";

describe("traceIdFromTraceparent", () => {
  it("should read the trace id of a version 00 traceparent", () => {
    assert.equal(traceIdFromTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("should accept fields a later version appends", () => {
    assert.equal(traceIdFromTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-cafe"), "4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("should answer an empty string for a missing or invalid traceparent", () => {
    for (const value of [
      undefined,
      "",
      "garbage",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ]) {
      assert.equal(traceIdFromTraceparent(value), "", String(value));
    }
  });
});
