import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { build } from "esbuild";
import { mapStackTraces } from "./map-stack-traces.js";

describe("mapStackTraces", () => {
  const dir = mkdtempSync(join(tmpdir(), "kinetic-stack-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("should print a bundled frame at its line in the TypeScript source, and other frames as V8 does", async () => {
    const source = join(dir, "thrower.ts");
    writeFileSync(source, ["export function explode(reason: string): never {", "  const label: string = `boom: ${reason}`;", "  throw new Error(label);", "}", ""].join("\n"));
    const file = join(dir, "bundle.cjs");
    await build({ entryPoints: [source], outfile: file, bundle: true, format: "cjs", platform: "node", sourcemap: "linked", minifyWhitespace: true, logLevel: "error" });
    mapStackTraces(file, `${file}.map`);
    const { explode } = createRequire(import.meta.url)(file) as { explode: (reason: string) => never };
    let stack = "";
    try {
      explode("late");
    } catch (error) {
      stack = (error as Error).stack ?? "";
    }
    const lines = stack.split("\n");
    assert.equal(lines[0], "Error: boom: late");
    assert.match(lines[1]!, /^ {4}at explode \(.*thrower\.ts:3:9\)$/);
    assert.ok(!stack.includes("bundle.cjs"), stack);
    assert.match(lines[2]!, /map-stack-traces\.test\.ts:\d+:\d+\)$/, "a frame outside the bundle is left as it is");
  });
});
