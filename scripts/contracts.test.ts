import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { functionDirectorySource, loadDeclarations } from "./gen-function-directory.js";
import { vendoredProtovalidatePath, vendoredProtovalidateSource } from "./vendor-protovalidate.js";
import { filesUnder } from "./files-under.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "node_modules/.bin");
const run = promisify(execFile);
const env = { ...process.env, PATH: `${bin}:${process.env["PATH"]}` };


describe("contracts", () => {
  const scratch = mkdtempSync(join(tmpdir(), "kinetic-contracts-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("should have committed exactly what `npm run gen` generates", async () => {
    await run(join(bin, "buf"), ["generate", "--output", scratch], { cwd: root, env });
    const fresh = filesUnder(join(scratch, "proto/gen"));
    fresh.set("kinetic/functions.ts", functionDirectorySource(await loadDeclarations()));
    const committed = filesUnder(join(root, "proto/gen"));
    assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort(), "the same files: run `npm run gen`");
    for (const [path, text] of fresh) assert.equal(committed.get(path), text, `proto/gen/${path} is stale: run \`npm run gen\``);
  });

  it("should have vendored protovalidate's rules from the installed package", () => {
    assert.equal(
      readFileSync(vendoredProtovalidatePath, "utf8"),
      vendoredProtovalidateSource(),
      "run `node --import tsx scripts/vendor-protovalidate.ts` after upgrading @bufbuild/protovalidate",
    );
  });

  it("should not break the contracts of the previous commit (buf breaking, FILE)", async (t) => {
    const parent = await run("git", ["rev-parse", "--verify", "--quiet", "HEAD~1"], { cwd: root }).catch(() => undefined);
    if (!parent) return t.skip("no previous commit to compare with");
    await run(join(bin, "buf"), ["breaking", "--against", ".git#ref=HEAD~1"], { cwd: root, env });
  });

  it("should catch a breaking change (the guard itself works)", async () => {
    const before = join(scratch, "before");
    const afterDir = join(scratch, "after");
    for (const dir of [before, afterDir]) {
      cpSync(join(root, "proto"), join(dir, "proto"), { recursive: true, filter: (src) => !src.includes("/gen") && !src.includes("node_modules") });
      cpSync(join(root, "buf.yaml"), join(dir, "buf.yaml"));
    }
    const file = join(afterDir, "proto/kinetic/identity/v1/identity.proto");
    writeFileSync(file, readFileSync(file, "utf8").replace("string display_name = 3", "string display_name = 30"));
    await assert.rejects(run(join(bin, "buf"), ["breaking", afterDir, "--against", before], { cwd: scratch, env }), (err: { stdout: string }) => {
      assert.match(err.stdout, /display_name/);
      return true;
    });
  });
});
