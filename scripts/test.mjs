#!/usr/bin/env node
// Runs every *.test.ts beside the code on Node's test runner, from TypeScript sources
// (the "kinetic-source" export condition), two files at a time for this 2-core machine.
// Usage: node scripts/test.mjs [path-substring ...]   (filters the files)
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const roots = ["shared/src", "functions", "local-dev/src", "scripts", "bench"];

function* walk(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "dist" || entry.startsWith(".")) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (entry.endsWith(".test.ts")) yield path;
  }
}

const filters = process.argv.slice(2);
const files = roots
  .filter((r) => existsSync(join(root, r)))
  .flatMap((r) => [...walk(join(root, r))])
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ["--conditions=kinetic-source", "--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit", env: { ...process.env, KINETIC_TEST: "1" } },
);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
