import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FunctionNaming } from "./function-naming.js";
import { UsageError } from "./usage-error.js";

/**
 * Refuses a name something in the repository already has: the function's folder, its proto
 * package's folder, or its package name in `node_modules/@kinetic`. Throws a `UsageError`
 * naming the path, so nothing is overwritten.
 */
export function assertFunctionAbsent(root: string, n: FunctionNaming): void {
  const taken = [n.dir, n.protoDir, `node_modules/${n.packageName}`].find((path) => existsSync(join(root, path)));
  if (taken !== undefined) throw new UsageError(`"${n.name}" already exists (${taken}): choose another name, or edit it there`);
}
