import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/**
 * Computes the SCRAM-SHA-256 verifier Postgres stores for a password (as psql's `\password`
 * does), so the plain password never reaches the server, its logs or `pg_stat_statements`.
 * `salt` and `iterations` are fixed only by tests; the defaults match Postgres' own.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
