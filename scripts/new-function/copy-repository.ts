import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/** A throw-away copy of the repository. */
export interface RepositoryCopy {
  /** The copy's root. */
  readonly root: string;
  /** Deletes the copy; the source's node_modules, reached through symlinks, stays untouched. */
  remove(): void;
}

/** Build output, caches and installed packages: not copied. */
const skipped = new Set(["node_modules", ".cache", ".git", ".kinetic", "dist"]);

/**
 * Test-only: copies the working tree at `source` (without git, build output and caches) to a
 * temporary folder, so a test can run tools that write into the repository. `node_modules` is a
 * folder of symlinks to the source's packages, except `@kinetic`, whose workspace links are
 * re-made inside the copy: `@kinetic/contracts` must be the copy's `proto/`, or code generated in
 * the copy would not resolve. `.cache` is linked, not copied.
 */
export function copyRepository(source: string): RepositoryCopy {
  const root = mkdtempSync(join(tmpdir(), "kinetic-repo-"));
  cpSync(source, root, {
    recursive: true,
    filter: (path) => !skipped.has(basename(path)) && !path.endsWith(".tsbuildinfo"),
  });
  const modules = join(source, "node_modules");
  mkdirSync(join(root, "node_modules/@kinetic"), { recursive: true });
  for (const entry of readdirSync(modules)) {
    // npm's record of the installed tree describes the source's, not the copy's.
    if (entry === ".package-lock.json") continue;
    if (entry !== "@kinetic") symlinkSync(join(modules, entry), join(root, "node_modules", entry));
  }
  for (const entry of readdirSync(join(modules, "@kinetic"))) {
    symlinkSync(readlinkSync(join(modules, "@kinetic", entry)), join(root, "node_modules/@kinetic", entry));
  }
  if (existsSync(join(source, ".cache"))) symlinkSync(join(source, ".cache"), join(root, ".cache"));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
