import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * The module of every function in the repository, `functions/<name>/src/index.ts` relative to
 * `root`, in name order (the order the activator gives out ports in).
 */
export function discoverFunctions(root: string): string[] {
  const dir = join(root, "functions");
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, "src", "index.ts")))
    .sort()
    .map((name) => `functions/${name}/src/index.ts`);
}
