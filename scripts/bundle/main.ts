/**
 * `npm run bundle [-- <function | module>…]`: writes `dist/functions/<name>/` (index.mjs, its
 * source map and the migrations) for each function named, or for every function under
 * functions/. The directory is what a function's container image holds; see docs/deploying.md.
 * As with `kinetic-serve`, an argument with a slash or a `.ts` ending is the path of a module
 * whose default export is the declaration (the benchmarks bundle
 * `shared/src/testing/echo-function.ts` this way), written under its declared name.
 *
 *   node --conditions=kinetic-source --import tsx scripts/bundle/main.ts [name | path…]
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { KineticFunction } from "@kinetic/runtime";
import { bundleFunction } from "./bundle-function.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const known = readdirSync(join(root, "functions"))
  .filter((name) => existsSync(join(root, "functions", name, "src/index.ts")))
  .sort();
const args = process.argv.slice(2);
const isPath = (arg: string) => arg.includes("/") || arg.endsWith(".ts");
const unknown = args.filter((arg) => (isPath(arg) ? !existsSync(resolve(root, arg)) : !known.includes(arg)));
if (unknown.length > 0) {
  process.stderr.write(`bundle: no function ${unknown.join(", ")} (under functions/ there are: ${known.join(", ")})\n`);
  process.exit(2);
}
const targets = args.length > 0 ? args : known;
for (const target of targets) {
  const started = performance.now();
  const source = isPath(target) ? target : undefined;
  const name = source === undefined ? target : await declaredName(source);
  const bundle = await bundleFunction({ name, source });
  const mib = (bundle.bytes / 1024 / 1024).toFixed(1);
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`bundle: ${relative(root, bundle.entry)} (${mib} MiB, ${bundle.migrations.length} migrations) in ${ms} ms\n`);
}

/** Internal: the name the declaration exported by `source` gives itself. */
async function declaredName(source: string): Promise<string> {
  const module = (await import(pathToFileURL(resolve(root, source)).href)) as { default?: KineticFunction };
  if (module.default?.name === undefined) {
    process.stderr.write(`bundle: ${source} has no default export made with defineFunction()\n`);
    process.exit(2);
  }
  return module.default.name;
}
