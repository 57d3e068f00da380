import { createHash, randomBytes } from "node:crypto";

/** A refresh token as handed out once, and the hash that is all the database keeps. */
export interface RefreshToken {
  /** 256 random bits, base64url: opaque to clients. */
  readonly token: string;
  /** sha256 of the token: a stolen table yields no usable token. */
  readonly hash: Buffer;
}

/**
 * A new refresh token and its hash. A fast, unsalted hash is enough: the token is 256 random
 * bits, so there is nothing to guess, and a unique hash lets the database look it up directly.
 */
export function newRefreshToken(): RefreshToken {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashRefreshToken(token) };
}

/** The hash a presented refresh token is looked up by. */
export function hashRefreshToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
