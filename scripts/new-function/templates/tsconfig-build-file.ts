/**
 * The function's `tsconfig.build.json`, the same for every function: compiles `src/` (tests
 * excluded) to `dist/` as a composite project referencing the contracts and the runtime.
 */
export function tsconfigBuildFile(): string {
  return `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "composite": true, "rootDir": "src", "outDir": "dist" },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts", "src/testing/**"],
  "references": [{ "path": "../../proto/tsconfig.build.json" }, { "path": "../../shared/tsconfig.build.json" }]
}
`;
}
