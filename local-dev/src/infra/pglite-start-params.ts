import { PGlite } from "@electric-sql/pglite";

/**
 * Start parameters of PGlite's single-user backend: its own (`PGlite.defaultStartParams`) with
 * `schema` first on the search path, since PGlite ignores the `search_path` a client sends at
 * startup, and smaller buffers: 16 MB of shared buffers instead of 160 halves the resident
 * size, and a development database fits in them.
 *
 * @internal
 */
export function pgliteStartParams(schema: string): string[] {
  const params = PGlite.defaultStartParams.flatMap((p, i, all) =>
    p.startsWith("search_path=") || (p === "-c" && all[i + 1]?.startsWith("search_path=")) ? [] : [p],
  );
  return [...params, "-c", `search_path="${schema}"`, "-c", "shared_buffers=16MB", "-c", "wal_buffers=1MB"];
}
