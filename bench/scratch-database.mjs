// A database of one benchmark run on the Postgres the tests use (127.0.0.1:5432, superuser
// `postgres`, trust authentication), dropped afterwards.
import { randomBytes } from "node:crypto";
import postgres from "postgres";

const adminUrl = "postgres://postgres@127.0.0.1:5432/postgres";

/** Runs `statement` with a superuser connection to the maintenance database. */
async function withAdmin(statement) {
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 10, onnotice: () => undefined });
  try {
    await statement(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Creates `kinetic_bench_<hex>`; resolves `{ name, url, drop() }`, `drop` ending its connections. */
export async function createScratchDatabase() {
  const name = `kinetic_bench_${randomBytes(6).toString("hex")}`;
  await withAdmin((admin) => admin`create database ${admin(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.href, drop: () => withAdmin((admin) => admin`drop database if exists ${admin(name)} with (force)`) };
}
