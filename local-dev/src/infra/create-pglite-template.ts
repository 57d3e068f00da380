import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pgliteStartParams } from "./pglite-start-params.js";

/**
 * Runs initdb once into `dir`, so that every function's embedded database starts as a copy of
 * it (`servePglite`'s `template`): initdb takes seconds, and a few hundred MB that the
 * WebAssembly heap keeps until its process exits, which is why `startDevDatabase` runs this in
 * a process of its own. The directory appears whole or not at all.
 *
 * @example
 * await createPgliteTemplate(".kinetic/pglite-template/0.5.14");
 */
export async function createPgliteTemplate(dir: string): Promise<void> {
  if (existsSync(join(dir, "PG_VERSION"))) return;
  const building = `${dir}.${process.pid}.tmp`;
  await mkdir(dirname(dir), { recursive: true });
  await rm(building, { recursive: true, force: true });
  const db = await PGlite.create({ dataDir: building, startParams: pgliteStartParams("public") });
  await db.close();
  await rename(building, dir).catch(async (err: unknown) => {
    await rm(building, { recursive: true, force: true });
    if (!existsSync(join(dir, "PG_VERSION"))) throw err; // else another start made it meanwhile
  });
}
