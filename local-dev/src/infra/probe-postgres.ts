import postgres from "postgres";

/** What a Postgres server said: `ready` (the database exists now), `closed` (nothing answered) or `refused` (it answered, and said why not). */
export type PostgresProbeResult = { readonly state: "ready" } | { readonly state: "closed" | "refused"; readonly reason: string };

/**
 * Logs in to the server `url` names, as its user, through the `postgres` maintenance database,
 * and creates the database `url` names unless it exists, as the runtime would at start
 * (DATABASE_PROVISION=auto): done once here, functions starting together do not race for it.
 * Gives up after `timeoutMs`. Never rejects.
 *
 * @example
 * const probe = await probePostgres("postgres://postgres@127.0.0.1:5432/kinetic");
 * if (probe.state === "ready") console.log("using the local Postgres");
 */
export async function probePostgres(url: string, timeoutMs = 1000): Promise<PostgresProbeResult> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1)) || decodeURIComponent(target.username);
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const admin = postgres(maintenance.href, { max: 1, connect_timeout: timeoutMs / 1000, onnotice: () => undefined });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })), timeoutMs);
  });
  try {
    const exists = await Promise.race([admin`select 1 from pg_database where datname = ${database}`, timeout]);
    if (exists.length === 0) {
      await admin`create database ${admin(database)}`.catch((err: unknown) => {
        const code = (err as { code?: unknown }).code;
        if (code !== "42P04" && code !== "23505") throw err; // created meanwhile
      });
    }
    return { state: "ready" };
  } catch (err) {
    const code = String((err as { code?: unknown }).code);
    const reason = err instanceof Error ? err.message : String(err);
    const silent = ["ECONNREFUSED", "ETIMEDOUT", "CONNECT_TIMEOUT", "ECONNRESET", "EHOSTUNREACH"].includes(code);
    return { state: silent ? "closed" : "refused", reason };
  } finally {
    clearTimeout(timer);
    await admin.end({ timeout: 0 });
  }
}
