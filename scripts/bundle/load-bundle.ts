/**
 * The entry of every function bundle (`index.mjs`): compiles `function.cjs` — the function, the
 * runtime and every dependency — with the V8 code cache `function.cjs.cache` beside it, then
 * runs the function. With the cache, V8 neither parses the 3.5 MiB nor compiles the functions the
 * start and the first requests call: what the cache holds is the bytecode they compiled to while
 * `npm run bundle` evaluated the bundle and served a few requests with an empty function
 * (`KINETIC_WRITE_CODE_CACHE=1`: `trainCodeCache`, then the cache is written and the process ends).
 * V8 checks its version, its flags and the source; a cache it rejects (another Node.js) costs
 * only the speed, and says so on stderr. Stack traces are mapped to the TypeScript sources by
 * `mapStackTraces`, from `function.cjs.map`, when first printed.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import type { KineticFunction, runFunction } from "@kinetic/runtime";
import { mapStackTraces } from "./map-stack-traces.js";
import type { trainCodeCache } from "./train-code-cache.js";

const directory = dirname(fileURLToPath(import.meta.url));
const file = join(directory, "function.cjs");
const cacheFile = `${file}.cache`;
const writing = process.env["KINETIC_WRITE_CODE_CACHE"] === "1";
mapStackTraces(file, `${file}.map`);

const cachedData = !writing && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
// CommonJS's wrapper on a line of its own, so that line numbers stay those of the file.
const source = `(function kineticBundle(exports, require, module, __filename, __dirname) {\n${readFileSync(file, "utf8")}\n})`;
const script = new Script(source, { filename: file, lineOffset: -1, ...(cachedData ? { cachedData } : {}) });
if (cachedData && script.cachedDataRejected) {
  process.stderr.write(`${cacheFile} was written by another Node.js or with other V8 flags: starting without it, slower\n`);
}
const module: { exports: { declaration?: KineticFunction; runFunction?: typeof runFunction; trainCodeCache?: typeof trainCodeCache } } = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, directory);
const { declaration, runFunction: run, trainCodeCache: train } = module.exports;
if (declaration === undefined || run === undefined || train === undefined) throw new Error(`${file} is not a function bundle of this loader: rebuild it with npm run bundle`);
if (writing) {
  await train();
  writeFileSync(cacheFile, script.createCachedData());
  process.exit(0); // sockets the training opened may linger
} else {
  await run(declaration);
}
