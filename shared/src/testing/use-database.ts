import { randomBytes } from "node:crypto";
import { after, before } from "node:test";
import postgres from "postgres";

/** A throw-away database on the test cluster. */
export interface TestDatabase {
  /** Its name, `kinetic_test_<hex>`. */
  readonly name: string;
  /** Superuser URL of the database: what DATABASE_URL is with DATABASE_PROVISION=auto. */
  readonly url: string;
  /** Drops it, closing any connection still open to it. */
  drop(): Promise<void>;
}

/** The cluster's maintenance database as a superuser; KINETIC_TEST_DATABASE_ADMIN_URL overrides it. */
function adminUrl(): string {
  return process.env["KINETIC_TEST_DATABASE_ADMIN_URL"] || "postgres://postgres@127.0.0.1:5432/postgres";
}

/**
 * Creates an empty database with a random name, so test files running in parallel never share
 * tables. Roles are cluster-wide and outlive it; tests give their functions distinct names.
 *
 * @example
 * const db = await createTestDatabase();
 * after(() => db.drop());
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `kinetic_test_${randomBytes(6).toString("hex")}`;
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  await withAdmin((admin) => admin`create database ${admin(name)}`);
  return {
    name,
    url: url.href,
    drop: () => withAdmin((admin) => admin`drop database if exists ${admin(name)} with (force)`),
  };
}

/**
 * Registers `before`/`after` hooks of the current suite that create and drop a test database;
 * read `url` once the suite runs.
 *
 * @example
 * const db = useDatabase();
 * it("should connect", async () => { const sql = postgres(db.url); … });
 */
export function useDatabase(): { readonly url: string } {
  let database: TestDatabase | undefined;
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database?.drop());
  return {
    get url() {
      if (!database) throw new Error("the test database exists only while the suite runs");
      return database.url;
    },
  };
}

async function withAdmin(run: (admin: postgres.Sql) => Promise<unknown>): Promise<void> {
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => undefined });
  try {
    await run(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
