import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { probePostgres } from "./probe-postgres.js";
import { startPgliteProcess, type PgliteProcess } from "./start-pglite-process.js";

/** The database every function of `npm run dev` uses. */
export interface DevDatabase {
  /** `postgres`: a real server (DATABASE_URL, or the one on 127.0.0.1:5432); `pglite`: embedded, one per function. */
  readonly kind: "postgres" | "pglite";
  /** Where the data lives, as logged: a server's address, or the embedded databases' directory. */
  readonly location: string;
  /**
   * The variables to start an instance of function `name` with: DATABASE_URL, and for the
   * embedded database DATABASE_PROVISION and DATABASE_POOL_MAX too. The first call for a
   * function starts its embedded database; every instance of the function shares it.
   */
  envFor(name: string): Promise<Record<string, string>>;
  /** Stops the embedded databases this call started (stop the functions first); does nothing for a server. */
  close(): Promise<void>;
}

export interface StartDevDatabaseOptions {
  /** `auto`: DATABASE_URL, else Postgres on `probeUrl`, else embedded; `embedded`: always embedded (tests). Default auto. */
  prefer?: "auto" | "embedded";
  /** Where DATABASE_URL is read. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** The administrator URL of the local server to try, database included. Default postgres://postgres@127.0.0.1:5432/kinetic. */
  probeUrl?: string;
  /** How long the local server may take to answer. Default 1000 ms. */
  probeTimeoutMs?: number;
  /** Directory of the embedded databases, one subdirectory per function. Default `.kinetic/pglite` in the repository. */
  dataDir?: string;
  /**
   * The initdb result every new embedded database is copied from, made on first use. Default
   * `.kinetic/pglite-template/<PGlite version>` in the repository, shared by every `dataDir`
   * (tests included), so initdb runs once per machine and version.
   */
  templateDir?: string;
  /** Connections of one instance's pool on the embedded database (DATABASE_POOL_MAX). Default 4. */
  embeddedPoolMax?: number;
  /** Receives one line saying which database is used, and one per embedded database started. Default stdout. */
  log?: (line: string) => void;
}

const root = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Finds a database for `npm run dev`, so that a fresh clone runs with nothing but Node: the
 * server DATABASE_URL names; else Postgres on 127.0.0.1:5432 if it answers within a second
 * (database `kinetic`, created if missing; every function provisions its own schema and role
 * there, as in production); else PGlite, Postgres compiled to WebAssembly, in a process per
 * function with its files under `.kinetic/pglite/<function>`, served on its own port. Every
 * instance of a function shares that function's database; functions never share one. Logs one
 * line saying which it is and where the data lives.
 *
 * @example
 * const database = await startDevDatabase();
 * spawn(node, [serve, module], { env: { ...process.env, ...(await database.envFor("identity")) } });
 * // … after the functions have stopped
 * await database.close();
 */
export async function startDevDatabase(options: StartDevDatabaseOptions = {}): Promise<DevDatabase> {
  const {
    prefer = "auto",
    env = process.env,
    probeUrl = "postgres://postgres@127.0.0.1:5432/kinetic",
    probeTimeoutMs = 1000,
    dataDir = join(root, ".kinetic", "pglite"),
    embeddedPoolMax = 4,
    templateDir = join(root, ".kinetic", "pglite-template", pgliteVersion()),
    log = (line: string) => process.stdout.write(`${line}\n`),
  } = options;
  const given = env["DATABASE_URL"];
  if (prefer === "auto" && given) {
    log(`kinetic dev: database: Postgres at ${new URL(given).host} (DATABASE_URL)`);
    return server(given);
  }
  let why = "forced";
  if (prefer === "auto") {
    const probe = await probePostgres(probeUrl, probeTimeoutMs);
    const at = new URL(probeUrl);
    if (probe.state === "ready") {
      log(`kinetic dev: database: Postgres at ${at.host}, database ${at.pathname.slice(1)} (a schema and role per function)`);
      return server(probeUrl);
    }
    why = probe.state === "closed" ? `no Postgres at ${at.host}` : `Postgres at ${at.host} refused ${at.username}: ${probe.reason}`;
  }
  const inside = relative(process.cwd(), dataDir);
  const shown = inside === "" ? "." : inside.startsWith("..") || isAbsolute(inside) ? dataDir : inside;
  log(`kinetic dev: database: embedded PGlite, one per function, data in ${shown}/<function> (${why}; set DATABASE_URL to use a server)`);
  return embedded({ dataDir, template: templateDir, poolMax: embeddedPoolMax, log });
}

/** The installed PGlite's version: a template made by another version is not reused. */
function pgliteVersion(): string {
  try {
    const manifest = createRequire(import.meta.url).resolve("@electric-sql/pglite").replace(/(node_modules[\\/]@electric-sql[\\/]pglite)[\\/].*$/, "$1/package.json");
    return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function server(url: string): DevDatabase {
  return {
    kind: "postgres",
    location: new URL(url).host,
    envFor: async () => ({ DATABASE_URL: url }),
    close: async () => undefined,
  };
}

function embedded({ dataDir, template, poolMax, log }: { dataDir: string; template: string; poolMax: number; log: (line: string) => void }): DevDatabase {
  const started = new Map<string, Promise<PgliteProcess>>();
  let templateReady: Promise<unknown> | undefined;
  let closed = false;

  const start = async (name: string): Promise<PgliteProcess> => {
    const fnDir = join(dataDir, name);
    if (!existsSync(join(fnDir, "PG_VERSION")) && !existsSync(join(template, "PG_VERSION"))) {
      // initdb once, in a process of its own, and every new function's database is a copy of it.
      templateReady ??= startPgliteProcess({ command: "init", dir: template });
      await templateReady;
    }
    const began = performance.now();
    const db = await startPgliteProcess({ command: "serve", dataDir: fnDir, schema: name, template });
    log(`kinetic dev: database of ${name}: postgres://postgres@127.0.0.1:${db.port}/postgres (embedded, ${Math.round(performance.now() - began)} ms)`);
    void db.exited.then((code) => {
      if (!closed) log(`kinetic dev: the embedded database of ${name} exited with code ${code}; ${name} cannot reach its data until npm run dev restarts`);
    });
    return db;
  };

  return {
    kind: "pglite",
    location: dataDir,
    async envFor(name) {
      if (closed) throw new Error("the embedded databases are closed");
      let db = started.get(name);
      if (!db) {
        db = start(name);
        started.set(name, db);
        db.catch(() => started.delete(name)); // a later call tries again
      }
      const { port } = await db;
      return {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
        // One session behind every connection: a role of its own would change nothing, the
        // process is what isolates the function. The schema is made and searched by the server.
        DATABASE_PROVISION: "off",
        DATABASE_POOL_MAX: String(poolMax),
      };
    },
    async close() {
      closed = true;
      const running = await Promise.allSettled(started.values());
      await Promise.all(running.map((r) => (r.status === "fulfilled" ? r.value.close() : undefined)));
    },
  };
}
