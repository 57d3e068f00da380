import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { copyRepository } from "./copy-repository.js";

const repository = fileURLToPath(new URL("../..", import.meta.url));
const bin = join(repository, "node_modules/.bin");
const execFileAsync = promisify(execFile);

const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env["PATH"]}` };
// A nested `node --test` would otherwise report to this test runner, as its child does.
delete env["NODE_TEST_CONTEXT"];

/** Runs a command in the copy; resolves with its output and exit code, whatever the code. */
async function run(cwd: string, command: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** Asserts that a command exited 0, showing its output when it did not. */
async function succeeds(cwd: string, command: string, args: readonly string[]): Promise<string> {
  const result = await run(cwd, command, args);
  assert.equal(result.code, 0, `${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * The package manifests and lockfile of `root` alone, in a new folder: where `npm ci` checks
 * that the lockfile matches every workspace, as in CI, without a node_modules to touch.
 */
function manifestsOnly(root: string): string {
  const dir = mkdtempSync(join(root, ".npm-ci-check-"));
  const { workspaces } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { workspaces: string[] };
  const folders = workspaces.flatMap((w) => (w.endsWith("/*") ? readdirSync(join(root, w.slice(0, -2))).map((f) => `${w.slice(0, -1)}${f}`) : [w]));
  const files = ["package.json", "package-lock.json", ...folders.map((f) => `${f}/package.json`)].filter((f) => existsSync(join(root, f)));
  for (const file of files) cpSync(join(root, file), join(dir, file));
  return dir;
}

/** What a refused run must leave exactly as it was. */
function state(root: string): string {
  const files = ["tsconfig.build.json", "package-lock.json", "functions/greeter/src/index.ts", "proto/kinetic/greeter/v1/greeter.proto"];
  return files.map((f) => (existsSync(join(root, f)) ? readFileSync(join(root, f), "utf8") : "(none)")).join("\n---\n");
}

describe("npm run new, end to end in a copy of the repository", { timeout: 240_000 }, () => {
  const copy = copyRepository(repository);
  after(() => copy.remove());

  it("should scaffold greeter, which passes buf lint, buf format, the typecheck and its own test", async (t) => {
    const started = performance.now();
    const made = await succeeds(copy.root, "npm", ["run", "new", "--", "greeter"]);
    t.diagnostic(`npm run new: ${Math.round(performance.now() - started)} ms`);
    assert.match(made, /^\$ npm install --package-lock-only --offline/m, "prints what it runs");
    assert.match(made, /^\$ npm run gen$/m);
    assert.match(made, /^next steps:$/m);

    assert.ok(existsSync(join(copy.root, "proto/gen/kinetic/greeter/v1/greeter_pb.ts")), "buf generate ran");
    assert.match(readFileSync(join(copy.root, "proto/gen/kinetic/functions.ts"), "utf8"), /"kinetic\.greeter\.v1\.GreeterService": "greeter"/);
    assert.match(readFileSync(join(copy.root, "tsconfig.build.json"), "utf8"), /\{ "path": "functions\/greeter\/tsconfig\.build\.json" \}/);
    assert.equal(realpathSync(join(copy.root, "node_modules/@kinetic/greeter")), realpathSync(join(copy.root, "functions/greeter")));
    await succeeds(manifestsOnly(copy.root), "npm", ["ci", "--dry-run", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"]);

    const [, , , tested] = await Promise.all([
      succeeds(copy.root, "buf", ["lint"]),
      succeeds(copy.root, "buf", ["format", "--diff", "--exit-code", "--path", "proto/kinetic/greeter"]),
      succeeds(copy.root, "tsc", ["--noEmit", "-p", "tsconfig.json"]),
      succeeds(copy.root, process.execPath, [
        "--conditions=kinetic-source",
        "--import",
        "tsx",
        "--test",
        "--test-reporter=tap",
        "functions/greeter/src/greeter-service.test.ts",
      ]),
    ]);
    t.diagnostic(`scaffold and checks: ${Math.round(performance.now() - started)} ms`);
    assert.match(tested, /^# pass 3$/m);
    assert.match(tested, /^# fail 0$/m);
  });

  it("should refuse greeter a second time with exit code 2, changing nothing", async () => {
    const before = state(copy.root);
    const again = await run(copy.root, "npm", ["run", "new", "--", "greeter"]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /"greeter" already exists \(functions\/greeter\)/);
    assert.equal(state(copy.root), before);
  });

  it("should refuse a bad name with exit code 2 and the usage, writing nothing", async () => {
    const before = state(copy.root);
    const bad = await run(copy.root, "npm", ["run", "new", "--", "Greeter_2"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid function name "Greeter_2": use lower case; try "greeter-2"/);
    assert.match(bad.stderr, /usage: npm run new -- <name>/);
    assert.ok(!existsSync(join(copy.root, "functions/greeter-2")));
    assert.equal(state(copy.root), before);
  });

  it("should leave the repository it copied alone", () => {
    for (const path of ["functions/greeter", "proto/kinetic/greeter", "proto/gen/kinetic/greeter", "node_modules/@kinetic/greeter"]) {
      assert.ok(!existsSync(join(repository, path)), `${path} is only in the copy`);
    }
    assert.doesNotMatch(readFileSync(join(repository, "tsconfig.build.json"), "utf8"), /greeter/);
    assert.doesNotMatch(readFileSync(join(repository, "package-lock.json"), "utf8"), /@kinetic\/greeter/);
  });
});
