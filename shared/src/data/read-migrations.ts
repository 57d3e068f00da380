import { Code, ConnectError } from "@connectrpc/connect";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";

/** One `NNNN_<what>.sql` file of a migrations folder. */
export interface Migration {
  /** The number before the underscore, 1 for `0001_init.sql`. */
  readonly version: number;
  /** The file name, `0001_init.sql`. */
  readonly name: string;
  /** Hex sha256 of the file's bytes; a change after it was applied is refused. */
  readonly checksum: string;
  /** The SQL, run as one simple-protocol batch inside the migration's transaction. */
  readonly text: string;
}

const fileName = /^(\d{4})_([a-z][a-z0-9_]*)\.sql$/;

/**
 * Reads a migrations folder in version order. Versions run 1, 2, 3… without gaps or duplicates,
 * so two branches adding the same number collide in review, not in production. Files not ending
 * in `.sql` are ignored; a missing folder has no migrations.
 */
export async function readMigrations(folder: URL): Promise<Migration[]> {
  const directory = folder.pathname.endsWith("/") ? folder : new URL(`${folder.href}/`);
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (err) {
    if ((err as { code?: unknown }).code === "ENOENT") return [];
    throw err;
  }
  const found = entries
    .filter((entry) => entry.endsWith(".sql"))
    .map((name) => {
      const match = fileName.exec(name);
      if (!match) {
        throw new ConnectError(`migration file name "${name}" is invalid: use NNNN_lower_snake_name.sql`, Code.FailedPrecondition);
      }
      return { version: Number(match[1]), name };
    })
    .sort((a, b) => a.version - b.version || a.name.localeCompare(b.name));
  found.forEach(({ version, name }, index) => {
    const previous = found[index - 1];
    if (previous?.version === version) {
      throw new ConnectError(`migrations ${previous.name} and ${name} have the same version`, Code.FailedPrecondition);
    }
    if (version !== index + 1) {
      throw new ConnectError(`migration ${name} should be version ${index + 1}: versions start at 0001 and have no gaps`, Code.FailedPrecondition);
    }
  });
  return Promise.all(
    found.map(async ({ version, name }) => {
      const bytes = await readFile(new URL(name, directory));
      return { version, name, checksum: createHash("sha256").update(bytes).digest("hex"), text: bytes.toString("utf8") };
    }),
  );
}
