/**
 * `npm run bundle [-- <function>…]`: writes `dist/functions/<name>/` (index.mjs, its source map
 * and the migrations) for each function named, or for every function under functions/. The
 * directory is what a function's container image holds; see docs/deploying.md.
 *
 *   node --conditions=kinetic-source --import tsx scripts/bundle/main.ts [name…]
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleFunction } from "./bundle-function.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const known = readdirSync(join(root, "functions"))
  .filter((name) => existsSync(join(root, "functions", name, "src/index.ts")))
  .sort();
const names = process.argv.slice(2);
const unknown = names.filter((name) => !known.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`bundle: no function ${unknown.join(", ")} under functions/ (there are: ${known.join(", ")})\n`);
  process.exit(2);
}
for (const name of names.length > 0 ? names : known) {
  const started = performance.now();
  const bundle = await bundleFunction({ name });
  const mib = (bundle.bytes / 1024 / 1024).toFixed(1);
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`bundle: ${relative(root, bundle.entry)} (${mib} MiB, ${bundle.migrations.length} migrations) in ${ms} ms\n`);
}
