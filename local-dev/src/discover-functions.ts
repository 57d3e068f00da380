import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A function found in the repository, with the port it gets locally. */
export interface LocalFunction {
  readonly name: string;
  /** Its entry module, relative to the repository root. */
  readonly module: string;
  readonly port: number;
}

/**
 * Every `functions/<name>/src/index.ts`, in name order, each given the next port from
 * `basePort`, so a function keeps its local address from one run to the next. A `basePort` of
 * 0 lets the OS pick a free port for each (tests).
 */
export function discoverFunctions(root: string, basePort: number): LocalFunction[] {
  const dir = join(root, "functions");
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, "src", "index.ts")))
    .sort()
    .map((name, i) => ({ name, module: `functions/${name}/src/index.ts`, port: basePort === 0 ? 0 : basePort + i }));
}
