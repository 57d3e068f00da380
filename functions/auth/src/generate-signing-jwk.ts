import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";

/**
 * A new private Ed25519 JWK with its thumbprint as `kid`, `alg` "EdDSA" and `use` "sig": the
 * format of AUTH_SIGNING_KEYS and of the `signing_keys` table.
 *
 * @example
 * const jwk = await generateSigningJwk();
 * process.stdout.write(JSON.stringify({ keys: [jwk] })); // an AUTH_SIGNING_KEYS_FILE
 */
export async function generateSigningJwk(): Promise<JWK & { kid: string }> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const { kty, crv, x, d } = await exportJWK(privateKey);
  if (kty === undefined || crv === undefined || x === undefined || d === undefined) throw new TypeError("the generated key could not be exported as a JWK");
  const kid = await calculateJwkThumbprint({ kty, crv, x });
  return { kty, crv, x, d, kid, alg: "EdDSA", use: "sig" };
}
