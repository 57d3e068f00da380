import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseNewFunctionArgs } from "./parse-new-function-args.js";
import { UsageError } from "./usage-error.js";
import { validateFunctionDescription } from "./validate-function-description.js";

const usageError = (pattern: RegExp) => (err: unknown) => err instanceof UsageError && pattern.test(err.message);

describe("parseNewFunctionArgs", () => {
  it("should read the name and the description, in either order", () => {
    assert.deepEqual(parseNewFunctionArgs(["greeter"]), { name: "greeter", description: undefined, help: false });
    assert.deepEqual(parseNewFunctionArgs(["--description", "greetings", "greeter"]), { name: "greeter", description: "greetings", help: false });
    assert.deepEqual(parseNewFunctionArgs(["greeter", "-d", "greetings"]), { name: "greeter", description: "greetings", help: false });
    assert.equal(parseNewFunctionArgs(["--help"]).help, true);
  });

  it("should refuse a missing name, a second name and unknown options", () => {
    assert.throws(() => parseNewFunctionArgs([]), usageError(/give the new function's name/));
    assert.throws(() => parseNewFunctionArgs(["greeter", "hello"]), usageError(/one name at a time/));
    assert.throws(() => parseNewFunctionArgs(["greeter", "--force"]), usageError(/--force/));
    assert.throws(() => parseNewFunctionArgs(["greeter", "--description"]), usageError(/--description/));
  });
});

describe("validateFunctionDescription", () => {
  it("should keep one trimmed line without its final period", () => {
    assert.equal(validateFunctionDescription("  orders and their lines. "), "orders and their lines");
  });

  it("should refuse what cannot go into a comment, a string and package.json alike", () => {
    assert.throws(() => validateFunctionDescription(" "), usageError(/empty/));
    assert.throws(() => validateFunctionDescription("two\nlines"), usageError(/one line/));
    assert.throws(() => validateFunctionDescription("sneaky */ end"), usageError(/\*\//));
    assert.throws(() => validateFunctionDescription("x".repeat(201)), usageError(/201 characters/));
  });
});
