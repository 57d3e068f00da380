import { readFile } from "node:fs/promises";
import { relative, sep } from "node:path";
import type { Plugin } from "esbuild";

/**
 * An esbuild plugin that keeps `import.meta.url` meaning what it means in the function's own
 * sources once they are bundled. In a bundle every module shares the bundle's URL, so the
 * declaration's `new URL("../migrations/", import.meta.url)` would point above the bundle's
 * directory. Here each occurrence in a file under `packageDir` becomes the URL that file would
 * have if the bundle's directory were the package's root (`src/index.ts` → `<bundle>/src/index.ts`),
 * so the declaration finds `<bundle>/migrations/` — the layout `copyMigrations` writes. The
 * function's code, the TypeScript sources and the `tsc` output are untouched; dependencies in
 * node_modules keep the bundle's own URL (their `createRequire(import.meta.url)` still works).
 *
 * @example
 * await build({ bundle: true, plugins: [moduleUrlPlugin("/repo/functions/identity")], … });
 */
export function moduleUrlPlugin(packageDir: string): Plugin {
  return {
    name: "kinetic-module-url",
    setup(build) {
      // Filtering in esbuild (Go) keeps the thousands of dependency files off this callback.
      const filter = new RegExp(`^${escapeRegExp(packageDir + sep)}.*\\.[cm]?[jt]s$`);
      build.onLoad({ filter }, async ({ path }) => {
        const inPackage = relative(packageDir, path);
        if (inPackage.split(sep).includes("node_modules")) return undefined;
        const text = await readFile(path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const asIfAtRoot = JSON.stringify(inPackage.split(sep).join("/"));
        return {
          contents: text.replaceAll("import.meta.url", `new URL(${asIfAtRoot}, import.meta.url).href`),
          loader: path.endsWith("ts") ? "ts" : "js",
        };
      });
    },
  };
}

/** Internal: `text` matched literally inside a regular expression. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
