import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { functionNaming } from "./function-naming.js";
import { UsageError } from "./usage-error.js";
import { validateFunctionName } from "./validate-function-name.js";

function refuses(name: string, pattern: RegExp) {
  assert.throws(
    () => validateFunctionName(name),
    (err: unknown) => {
      assert.ok(err instanceof UsageError, `a UsageError for "${name}"`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe("validateFunctionName", () => {
  it("should accept DNS-1035 labels", () => {
    for (const name of ["greeter", "order-history", "a", "v2-users", "a1b2", `a${"b".repeat(62)}`]) assert.equal(validateFunctionName(name), name);
  });

  it("should refuse what is not a DNS-1035 label, saying what is wrong", () => {
    refuses("", /give a name/);
    refuses("Greeter", /use lower case; try "greeter"/);
    refuses("Order_History", /use lower case; try "order-history"/);
    refuses("2fa", /start with a letter/);
    refuses("-greeter", /start with a letter/);
    refuses("order_history", /only lower-case letters, digits and '-'.*; try "order-history"/);
    refuses("greeter.v2", /only lower-case letters, digits and '-'/);
    refuses("greeter-", /end with a letter or digit/);
    refuses(`a${"b".repeat(63)}`, /64 characters.*at most 63/);
  });

  it("should refuse a double hyphen, which would make proto and type names ambiguous", () => {
    refuses("order--history", /single hyphens between words; try "order-history"/);
  });

  it("should refuse reserved names with the reason", () => {
    refuses("registry", /reserved: the local registry/);
    refuses("advertise", /KINETIC_ADVERTISE_URL/);
    refuses("runtime", /@kinetic\/runtime/);
    refuses("public", /Postgres/);
    refuses("echo", /kinetic\.echo\.v1/);
  });
});

describe("functionNaming", () => {
  it("should derive every name from a hyphenated name", () => {
    assert.deepEqual(functionNaming("order-history"), {
      name: "order-history",
      snake: "order_history",
      pascal: "OrderHistory",
      camel: "orderHistory",
      packageName: "@kinetic/order-history",
      protoPackage: "kinetic.order_history.v1",
      service: "OrderHistoryService",
      protoDir: "proto/kinetic/order_history",
      protoPath: "proto/kinetic/order_history/v1/order_history.proto",
      contractsImport: "@kinetic/contracts/kinetic/order_history/v1/order_history_pb.js",
      dir: "functions/order-history",
    });
  });
});
