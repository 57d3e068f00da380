import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createContextKey, createContextValues, type ContextValues } from "@connectrpc/connect";
import { FastContextValues } from "./fast-context-values.js";

describe("FastContextValues", () => {
  it("should answer as connect's createContextValues for every operation", () => {
    const a = createContextKey("default a");
    const b = createContextKey<number | undefined>(undefined);
    const run = (values: ContextValues) => {
      const seen: unknown[] = [values.get(a), values.get(b)];
      assert.equal(values.set(a, "set a"), values, "set returns the values themselves");
      values.set(b, 0);
      seen.push(values.get(a), values.get(b));
      assert.equal(values.delete(a), values, "delete returns the values themselves");
      seen.push(values.get(a), values.get(b));
      values.set(b, undefined);
      seen.push(values.get(b));
      return seen;
    };
    assert.deepEqual(run(new FastContextValues()), run(createContextValues()));
  });

  it("should keep keys apart, even with the same description and default", () => {
    const first = createContextKey(1, { description: "same" });
    const second = createContextKey(1, { description: "same" });
    const values = new FastContextValues().set(first, 2);
    assert.equal(values.get(first), 2);
    assert.equal(values.get(second), 1);
  });
});
