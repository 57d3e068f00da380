#!/usr/bin/env node
/**
 * `kinetic-serve <function | module>`: the entry point of every function's container. A bare
 * name loads `functions/<name>/dist/index.js` under the working directory; anything with a
 * slash or a `.js` ending is loaded as a module path. The module's default export is the
 * function's declaration.
 */
import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { KineticFunction } from "../function/define-function.js";
import { runFunction } from "../server/run-function.js";

const target = process.argv[2];
if (target === undefined || target.startsWith("-")) {
  process.stderr.write("usage: kinetic-serve <function-name | path/to/module.js>\n");
  process.exit(2);
}
const path = target.includes("/") || target.endsWith(".js") ? resolve(target) : resolve("functions", target, "dist", "index.js");
if (!existsSync(path)) {
  const known = existsSync("functions") ? readdirSync("functions").join(", ") : "none found under ./functions";
  process.stderr.write(`kinetic-serve: ${path} does not exist (functions: ${known}); run \`npm run build\` first\n`);
  process.exit(2);
}
const module = (await import(pathToFileURL(path).href)) as { default?: KineticFunction };
if (module.default?.setup === undefined) {
  process.stderr.write(`kinetic-serve: ${path} has no default export made with defineFunction()\n`);
  process.exit(2);
}
await runFunction(module.default);
