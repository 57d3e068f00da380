import { existsSync } from "node:fs";
import { cp, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pgliteStartParams } from "./pglite-start-params.js";
import { startPgliteWireServer } from "./start-pglite-wire-server.js";

export interface ServePgliteOptions {
  /** The database's files; a directory without `PG_VERSION` is filled from `template`, else initialised. Required. */
  dataDir: string;
  /** The function's name: its schema, created if missing and first on the session's search path. Required. */
  schema: string;
  /** A data directory from `createPgliteTemplate` to copy instead of running initdb. Default none. */
  template?: string | undefined;
  /** Port to listen on. Default 0 (a free one). */
  port?: number;
  /** Address to listen on. Default "127.0.0.1". */
  host?: string;
}

/** An embedded Postgres answering the wire protocol. */
export interface ServedPglite {
  readonly port: number;
  /** Stops accepting, rolls back an open transaction, closes the database files. */
  close(): Promise<void>;
}

/**
 * Serves one function's embedded database (PGlite, Postgres compiled to WebAssembly) over the
 * Postgres wire protocol (`startPgliteWireServer`). PGlite is one backend session behind every
 * connection: the user and startup parameters a client sends are ignored, and SET, session
 * advisory locks and LISTEN are shared. So each function gets its own instance, its schema is
 * created and put first on the search path here for the whole session, and the function runs
 * as the superuser of a database only it uses. Statements run one at a time; a connection
 * inside a transaction has the database to itself until it ends.
 *
 * @example
 * const db = await servePglite({ dataDir: ".kinetic/pglite/identity", schema: "identity" });
 * // postgres://postgres@127.0.0.1:${db.port}/postgres
 */
export async function servePglite({ dataDir, schema, template, port = 0, host = "127.0.0.1" }: ServePgliteOptions): Promise<ServedPglite> {
  if (!/^[a-z][a-z0-9_-]{0,62}$/.test(schema)) throw new TypeError(`invalid schema name "${schema}"`);
  const unlock = await lock(dataDir);
  try {
    return await open({ dataDir, schema, template, port, host }, unlock);
  } catch (err) {
    await unlock();
    throw err;
  }
}

async function open(
  { dataDir, schema, template, port, host }: ServePgliteOptions & { port: number; host: string },
  unlock: () => Promise<void>,
): Promise<ServedPglite> {
  if (!existsSync(join(dataDir, "PG_VERSION")) && template !== undefined && existsSync(join(template, "PG_VERSION"))) {
    // Copied aside, then renamed: a copy cut short must not look like a database.
    const copying = `${dataDir}.${process.pid}.tmp`;
    await mkdir(dirname(dataDir), { recursive: true });
    await rm(copying, { recursive: true, force: true });
    await cp(template, copying, { recursive: true });
    await rename(copying, dataDir);
  }
  const db = await PGlite.create({ dataDir, startParams: pgliteStartParams(schema) });
  try {
    await db.exec(`create schema if not exists "${schema}"`);
    const server = await startPgliteWireServer(db, { port, host });
    return {
      port: server.port,
      async close() {
        await server.close();
        await db.close();
        await unlock();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/**
 * PGlite takes no lock on its directory, and two processes writing one corrupt it: a second
 * `npm run dev` in the same clone is refused here, naming the process that has it. A lock left
 * by a process that is gone is taken over.
 */
async function lock(dataDir: string): Promise<() => Promise<void>> {
  const path = `${dataDir}.lock`;
  await mkdir(dirname(path), { recursive: true });
  for (;;) {
    try {
      await writeFile(path, String(process.pid), { flag: "wx" });
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number(await readFile(path, "utf8").catch(() => "0"));
    if (holder > 0 && holder !== process.pid && alive(holder)) {
      throw new Error(`${dataDir} is in use by process ${holder} (another npm run dev?): stop it first`);
    }
    await rm(path, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
