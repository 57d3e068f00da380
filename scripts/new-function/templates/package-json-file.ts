import type { DependencyVersions } from "../dependency-versions.js";
import type { FunctionNaming } from "../function-naming.js";

/**
 * The function's package.json, shaped as the other functions': private ESM, one export whose
 * `kinetic-source` condition serves the TypeScript sources (tests, `npm run dev`) and whose
 * default is the compiled `dist/` (containers), dependencies pinned exactly.
 */
export function packageJsonFile(n: FunctionNaming, description: string, versions: DependencyVersions): string {
  const sentence = description.charAt(0).toUpperCase() + description.slice(1);
  const pkg = {
    name: n.packageName,
    version: "0.1.0",
    private: true,
    type: "module",
    description: `${sentence} (${n.protoPackage}.${n.service}).`,
    exports: {
      ".": {
        "kinetic-source": "./src/index.ts",
        types: "./dist/index.d.ts",
        default: "./dist/index.js",
      },
    },
    dependencies: Object.fromEntries(Object.entries(versions).sort(([a], [b]) => a.localeCompare(b))),
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
