import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { bundleEntry, bundleFunction, type FunctionBundle } from "./bundle-function.js";

/** Runs `node …flags index.mjs` in the bundle's directory until it answers one Echo; resolves its stderr. */
async function echoOnce(bundle: FunctionBundle, flags: string[]): Promise<string> {
  const child = spawn(process.execPath, [...flags, bundleEntry], { cwd: bundle.directory, env: { PATH: process.env["PATH"], PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once("exit", () => reject(new Error(`exited before serving: ${stderr}`)));
      createInterface({ input: child.stdout }).on("line", (line) => {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === "serving") resolve(entry.port!);
      });
    });
    const response = await fetch(`http://127.0.0.1:${port}/kinetic.echo.v1.EchoService/Echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "cached" }),
    });
    assert.deepEqual(await response.json(), { message: "cached" });
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
  return stderr;
}

describe("a bundle's loader", () => {
  let out: string;
  let bundle: FunctionBundle;
  before(async () => {
    out = mkdtempSync(join(tmpdir(), "kinetic-loader-"));
    bundle = await bundleFunction({ name: "echo", source: "shared/src/testing/echo-function.ts", outDir: join(out, "echo") });
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it("should start from the code cache written with this Node.js, silently", async () => {
    assert.equal(await echoOnce(bundle, []), "");
  });

  it("should start without the code cache when V8 runs with other flags, and say so", async () => {
    const stderr = await echoOnce(bundle, ["--stack-trace-limit=12"]);
    assert.match(stderr, /function\.cjs\.cache was written by another Node\.js or with other V8 flags/);
  });
});
