import type { Sql } from "postgres";
import { generateSigningJwk } from "./generate-signing-jwk.js";
import { createSigningKeyStore } from "./signing-key-store.js";

/**
 * Rotates the key set kept in the function's own schema (dev and tests; production rotates its
 * AUTH_SIGNING_KEYS_FILE instead): a new Ed25519 key becomes the signing key, and the one it
 * replaces is retired, which keeps it verifiable and published until every token it signed has
 * expired. Running instances switch at their next reload (AUTH_SIGNING_KEYS_RELOAD_SECONDS) and
 * at once when they meet a token with the new kid. Returns the new kid.
 *
 * @example
 * const sql = postgres(process.env.DATABASE_URL, { connection: { search_path: "auth" } });
 * const kid = await rotateSigningKey(sql);
 */
export async function rotateSigningKey(sql: Sql): Promise<string> {
  const jwk = await generateSigningJwk();
  await createSigningKeyStore(sql).rotate(jwk);
  return jwk.kid;
}
