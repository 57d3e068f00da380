import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { activatorParts } from "./activator-cases.mjs";

describe("activatorParts", () => {
  const ids = (only: string[]) => {
    const { cold, load, memory } = activatorParts(only);
    return { cold: cold.map((t) => t.id), load: load.map((p) => p.id), memory };
  };

  it("should select every part with no --only or --only=activator", () => {
    const all = { cold: ["echo", "identity"], load: ["connect-json", "grpc"], memory: true };
    assert.deepEqual(ids([]), all);
    assert.deepEqual(ids(["activator"]), all);
  });

  it("should select single parts, and none for the other benchmarks' ids", () => {
    assert.deepEqual(ids(["activator:cold"]), { cold: ["echo", "identity"], load: [], memory: false });
    assert.deepEqual(ids(["activator:load:grpc", "activator:memory"]), { cold: [], load: ["grpc"], memory: true });
    assert.deepEqual(ids(["cold-start", "events", "chain", "h2c-grpc"]), { cold: [], load: [], memory: false });
  });
});
