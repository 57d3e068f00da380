import { readFile } from "node:fs/promises";
import type { Plugin } from "esbuild";
import { dependencyPatches, type DependencyPatch } from "./dependency-patches.js";

/**
 * An esbuild plugin applying `patches` to the dependency files they name as they are bundled;
 * node_modules itself is never written. A patch whose text is not found exactly `count` times
 * fails the build with its name and file, so a dependency upgrade cannot silently drop or
 * misapply it.
 *
 * @example
 * await build({ bundle: true, plugins: [dependencyPatchPlugin()], … });
 */
export function dependencyPatchPlugin(patches: readonly DependencyPatch[] = dependencyPatches): Plugin {
  return {
    name: "kinetic-dependency-patches",
    setup(build) {
      for (const patch of patches) {
        build.onLoad({ filter: patch.files }, async ({ path }) => ({ contents: applyPatch(patch, path, await readFile(path, "utf8")), loader: "js" }));
      }
    },
  };
}

/**
 * `text`, the contents of `path`, with `patch` applied.
 *
 * @throws Error when `patch.find` does not match exactly `patch.count` times.
 */
export function applyPatch(patch: DependencyPatch, path: string, text: string): string {
  const found = [...text.matchAll(patch.find)].length;
  if (found !== patch.count) {
    throw new Error(
      `dependency patch "${patch.name}" expects ${patch.count} match(es) in ${path}, found ${found}: ` +
        "the dependency changed; review the patch in scripts/bundle/dependency-patches.ts and update or remove it",
    );
  }
  const patched = text.replace(patch.find, patch.replace);
  return patch.append === undefined ? patched : `${patched}\n${patch.append}\n`;
}
