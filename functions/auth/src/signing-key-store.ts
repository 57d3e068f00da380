import type { JWK } from "jose";
import type { Sql } from "postgres";

/** A row of `signing_keys`. */
export interface StoredSigningKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly createdAt: Date;
  /** When it stopped signing; undefined for the one key that signs. */
  readonly retiredAt: Date | undefined;
}

/** The SQL of `signing_keys`, the key set of dev and test instances. */
export interface SigningKeyStore {
  /** Every key, the signing one first, then retired ones, newest first. */
  list(): Promise<StoredSigningKey[]>;
  /**
   * Stores `jwk` as the signing key unless there is one already. Instances starting together
   * each try; the unique index on the active key lets exactly one insert win.
   */
  insertIfNoneSigns(jwk: JWK & { kid: string }): Promise<void>;
  /** Retires the signing key and makes `jwk` the signing key, in one transaction. */
  rotate(jwk: JWK & { kid: string }): Promise<void>;
}

interface SigningKeyRow {
  kid: string;
  private_jwk: JWK;
  created_at: Date;
  retired_at: Date | null;
}

// Serialises rotations: without it, a second concurrent rotation would not see the key the first inserted.
const rotationLock = "kinetic.auth.signing_keys";

/** The signing key store over the function's pool (search_path = the `auth` schema). */
export function createSigningKeyStore(sql: Sql): SigningKeyStore {
  return {
    async list() {
      const rows = await sql<SigningKeyRow[]>`
        select kid, private_jwk, created_at, retired_at from signing_keys
        order by retired_at is null desc, created_at desc, kid`;
      return rows.map((row) => ({ kid: row.kid, privateJwk: row.private_jwk, createdAt: row.created_at, retiredAt: row.retired_at ?? undefined }));
    },
    async insertIfNoneSigns(jwk) {
      await sql`insert into signing_keys (kid, private_jwk) values (${jwk.kid}, ${sql.json(jwk as never)}) on conflict do nothing`;
    },
    async rotate(jwk) {
      await sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtext(${rotationLock}))`;
        await tx`update signing_keys set retired_at = now() where retired_at is null`;
        await tx`insert into signing_keys (kid, private_jwk) values (${jwk.kid}, ${tx.json(jwk as never)})`;
      });
    },
  };
}
