import postgres from "postgres";

/**
 * Creates the database `url` names unless it exists, connecting to the cluster's `postgres`
 * maintenance database with the same (administrator) credentials. Safe when instances start
 * together: a concurrent CREATE DATABASE that wins the race is not an error.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1)) || decodeURIComponent(target.username);
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const admin = postgres(maintenance.href, { max: 1, connect_timeout: 10, onnotice: () => undefined });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${database}`;
    if (exists) return;
    await admin`create database ${admin(database)}`.catch((err: unknown) => {
      const code = (err as { code?: unknown }).code;
      if (code !== "42P04" && code !== "23505") throw err; // created meanwhile
    });
  } finally {
    await admin.end({ timeout: 5 });
  }
}
