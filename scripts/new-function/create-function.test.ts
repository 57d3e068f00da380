import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createFunction } from "./create-function.js";
import { UsageError } from "./usage-error.js";
import { filesUnder } from "../files-under.js";

const repository = fileURLToPath(new URL("../..", import.meta.url));


describe("createFunction", () => {
  const scratch = mkdtempSync(join(tmpdir(), "kinetic-new-function-"));
  let root: string;
  let count = 0;
  after(() => rmSync(scratch, { recursive: true, force: true }));
  // A small repository: the files createFunction reads, and one existing function.
  beforeEach(() => {
    root = join(scratch, String(count++));
    for (const path of ["tsconfig.build.json", "shared/package.json", "proto/package.json"]) cpSync(join(repository, path), join(root, path));
    mkdirSync(join(root, "functions/identity/src"), { recursive: true });
    writeFileSync(join(root, "functions/identity/src/index.ts"), "export default {};\n");
    mkdirSync(join(root, "proto/kinetic/billing/v1"), { recursive: true });
  });

  const refusal = (pattern: RegExp) => (err: unknown) => err instanceof UsageError && pattern.test(err.message);

  it("should refuse a function that already exists and write nothing", () => {
    const before = filesUnder(root);
    assert.throws(() => createFunction({ root, name: "identity" }), refusal(/"identity" already exists \(functions\/identity\)/));
    assert.deepEqual(filesUnder(root), before);
  });

  it("should refuse a name whose contract already exists and write nothing", () => {
    const before = filesUnder(root);
    assert.throws(() => createFunction({ root, name: "billing" }), refusal(/already exists \(proto\/kinetic\/billing\)/));
    assert.deepEqual(filesUnder(root), before);
  });

  it("should refuse a bad name or description before writing anything", () => {
    const before = filesUnder(root);
    assert.throws(() => createFunction({ root, name: "Greeter" }), refusal(/lower case/));
    assert.throws(() => createFunction({ root, name: "registry" }), refusal(/reserved/));
    assert.throws(() => createFunction({ root, name: "greeter", description: "a\nb" }), refusal(/one line/));
    assert.deepEqual(filesUnder(root), before);
  });

  it("should write the function under its names and reference it from tsconfig.build.json, once", () => {
    const { created, changed } = createFunction({ root, name: "order-history", description: "orders as they were" });
    assert.deepEqual(created, [
      "proto/kinetic/order_history/v1/order_history.proto",
      "functions/order-history/package.json",
      "functions/order-history/tsconfig.build.json",
      "functions/order-history/src/index.ts",
      "functions/order-history/src/order-history-service.ts",
      "functions/order-history/migrations/0001_order_history.sql",
      "functions/order-history/src/order-history-service.test.ts",
    ]);
    assert.deepEqual(changed, ["tsconfig.build.json"]);
    const pkg = JSON.parse(readFileSync(join(root, "functions/order-history/package.json"), "utf8")) as { name: string; description: string; dependencies: Record<string, string> };
    const runtime = JSON.parse(readFileSync(join(repository, "shared/package.json"), "utf8")) as { dependencies: Record<string, string> };
    assert.equal(pkg.name, "@kinetic/order-history");
    assert.equal(pkg.description, "Orders as they were (kinetic.order_history.v1.OrderHistoryService).");
    assert.equal(pkg.dependencies["@connectrpc/connect"], runtime.dependencies["@connectrpc/connect"], "pinned as the runtime pins it");
    assert.match(readFileSync(join(root, "functions/order-history/src/index.ts"), "utf8"), /name: "order-history",\n  description: "orders as they were",/);
    assert.match(readFileSync(join(root, created[0]!), "utf8"), /^package kinetic\.order_history\.v1;$/m);
    const config = readFileSync(join(root, "tsconfig.build.json"), "utf8");
    assert.equal(config.split('"functions/order-history/tsconfig.build.json"').length, 2, "referenced once");

    const before = filesUnder(root);
    assert.throws(() => createFunction({ root, name: "order-history" }), refusal(/already exists/));
    assert.deepEqual(filesUnder(root), before, "a second run changes nothing");
  });
});
