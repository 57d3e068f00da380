import { cp, readdir } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { KineticFunction } from "@kinetic/runtime";

/**
 * Copies the migrations folder a declaration names into the bundle's directory, at the same
 * place relative to it as relative to the function's package (`functions/identity/migrations/`
 * → `<bundle>/migrations/`), which is where `moduleUrlPlugin` makes the bundled declaration look.
 * Taking the folder from the declaration, not from a naming convention, matters: the runtime
 * treats a missing folder as "no migrations", so a bundle without them would start and serve
 * against tables that do not exist. Resolves the copied `.sql` file names, sorted; throws when
 * the folder is outside the package (the bundle could not mirror it) or missing.
 */
export async function copyMigrations(declaration: Pick<KineticFunction, "name" | "migrations">, packageDir: string, bundleDir: string): Promise<string[]> {
  if (declaration.migrations === undefined) return [];
  const source = fileURLToPath(declaration.migrations);
  const inPackage = relative(packageDir, source);
  if (inPackage.startsWith("..") || isAbsolute(inPackage)) {
    throw new Error(`${declaration.name}: migrations ${source} are outside ${packageDir}; keep them in the function's package so the bundle can carry them`);
  }
  const files = (await readdir(source)).filter((file) => file.endsWith(".sql")).sort();
  if (files.length === 0) throw new Error(`${declaration.name}: the migrations folder ${source} holds no .sql file`);
  await cp(source, join(bundleDir, inPackage), { recursive: true });
  return files;
}
