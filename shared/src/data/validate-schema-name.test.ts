import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateSchemaName } from "./validate-schema-name.js";

describe("validateSchemaName", () => {
  it("should accept lower-case names of up to 63 characters", () => {
    for (const name of ["identity", "order-history", "a", "v2_users", `a${"b".repeat(62)}`]) {
      assert.equal(validateSchemaName(name), name);
    }
  });

  it("should reject anything that is not a plain identifier with a TypeError", () => {
    for (const name of ["", "Identity", "2fa", "-x", "_x", "a.b", 'a"b', "a b", "a;b", `a${"b".repeat(63)}`]) {
      assert.throws(() => validateSchemaName(name), TypeError, name);
    }
  });

  it("should reject names Postgres reserves", () => {
    for (const name of ["public", "postgres", "information_schema", "pg_catalog", "pg_x"]) {
      assert.throws(() => validateSchemaName(name), /reserved/, name);
    }
  });
});
