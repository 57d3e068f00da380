import type { webcrypto } from "node:crypto";
import { calculateJwkThumbprint, CompactSign, compactVerify, importJWK, type JWK } from "jose";

type CryptoKey = webcrypto.CryptoKey;

/** An Ed25519 key pair the function signs access tokens with, or verifies them with once retired. */
export interface SigningKey {
  /** The key id, in the `kid` header of every token it signs. */
  readonly kid: string;
  /** Never leaves the process: not logged, not published. */
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public half as `/.well-known/jwks.json` publishes it: kty, crv, x, kid, alg, use. */
  readonly publicJwk: JWK;
}

const probe = new TextEncoder().encode("kinetic-auth key check");

/**
 * Imports a private Ed25519 JWK (`{"kty":"OKP","crv":"Ed25519","x":…,"d":…}`, optional `kid`,
 * `alg` "EdDSA" and `use` "sig"). Without a `kid`, the key's RFC 7638 thumbprint is its id. The
 * key signs and verifies a probe first, so a JWK whose `x` does not match its `d` is refused at
 * start instead of minting tokens nobody can verify. Throws a `TypeError` naming `where` (such as
 * "AUTH_SIGNING_KEYS_FILE key 2"), never quoting key material.
 */
export async function signingKeyFromJwk(jwk: unknown, where: string): Promise<SigningKey> {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) throw new TypeError(`${where} must be a JWK object`);
  const { kty, crv, x, d, kid, alg, use } = jwk as Record<string, unknown>;
  if (kty !== "OKP" || crv !== "Ed25519") throw new TypeError(`${where} must be an Ed25519 key: kty "OKP" and crv "Ed25519"`);
  if (typeof x !== "string" || x === "") throw new TypeError(`${where} lacks its public part x`);
  if (typeof d !== "string" || d === "") throw new TypeError(`${where} lacks its private part d: a signing key must be private`);
  if (alg !== undefined && alg !== "EdDSA") throw new TypeError(`${where} alg must be "EdDSA" when set`);
  if (use !== undefined && use !== "sig") throw new TypeError(`${where} use must be "sig" when set`);
  if (kid !== undefined && (typeof kid !== "string" || kid === "")) throw new TypeError(`${where} kid must be a non-empty string when set`);
  const publicPart = { kty, crv, x };
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  try {
    privateKey = (await importJWK({ ...publicPart, d }, "EdDSA")) as CryptoKey;
    publicKey = (await importJWK(publicPart, "EdDSA")) as CryptoKey;
    const signed = await new CompactSign(probe).setProtectedHeader({ alg: "EdDSA" }).sign(privateKey);
    await compactVerify(signed, publicKey);
  } catch {
    throw new TypeError(`${where} is not a valid Ed25519 key pair: x must be the public key of d`);
  }
  const id = kid ?? (await calculateJwkThumbprint(publicPart));
  return { kid: id, privateKey, publicKey, publicJwk: { ...publicPart, kid: id, alg: "EdDSA", use: "sig" } };
}
