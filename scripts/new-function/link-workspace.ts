import { existsSync, lstatSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import type { FunctionNaming } from "./function-naming.js";
import { runCommand } from "./run-command.js";

/**
 * Makes the new workspace package known to npm without a network install:
 *
 * - `package-lock.json` gets the package (`npm install --package-lock-only --offline`): the
 *   workspaces glob `functions/*` already includes the folder, and `npm ci` (CI) refuses a
 *   lockfile that misses a workspace. The function's dependencies are the runtime's, already
 *   locked, so nothing is fetched.
 * - `node_modules/@kinetic/<name>` becomes the symlink `npm install` would make. Nothing imports
 *   a function by package name at first (the platform loads `functions/<name>/src/index.ts` by
 *   path and callers go through `ctx.client`), but another function's tests may start it as
 *   `import fn from "@kinetic/<name>"`, as auth's tests start identity.
 */
export async function linkWorkspace(root: string, n: FunctionNaming): Promise<void> {
  await runCommand("npm", ["install", "--package-lock-only", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], root).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}: the lockfile needs ${n.packageName}; run \`npm install\` (it may fetch from the registry)`);
  });
  const scope = join(root, "node_modules/@kinetic");
  const link = join(scope, n.name);
  if (!existsSync(scope) || lstatSync(link, { throwIfNoEntry: false }) !== undefined) return;
  const target = `../../${n.dir}`;
  process.stdout.write(`$ ln -s ${target} node_modules/${n.packageName}\n`);
  symlinkSync(target, link, "dir");
}
