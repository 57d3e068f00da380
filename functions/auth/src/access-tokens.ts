import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { ClaimsSchema, type Claims } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import { jwtVerify, SignJWT, type JWTHeaderParameters } from "jose";
import { connectErrorFromJose } from "./connect-error-from-jose.js";
import type { KeyRing } from "./key-ring.js";

/** The `typ` of access tokens (RFC 9068), so no other JWT of ours can be presented as one. */
const tokenType = "at+jwt";

/** Signs and verifies access tokens: EdDSA JWTs with iss, aud, sub, iat, exp and jti, and the key's kid. */
export interface AccessTokens {
  /** Seconds an access token is valid. */
  readonly ttlSeconds: number;
  /** A new access token for user `subject`. */
  sign(subject: string): Promise<string>;
  /** The claims of a valid token; otherwise throws `Unauthenticated` saying what was wrong. */
  verify(token: string): Promise<Claims>;
}

export interface AccessTokenOptions {
  /** The keys: the ring's signer signs, its verifiers verify. Required. */
  keys: KeyRing;
  /** The `iss` claim issued and required (AUTH_ISSUER). Required. */
  issuer: string;
  /** The `aud` claim issued and required (AUTH_AUDIENCE). Required. */
  audience: string;
  /** Lifetime of a token in seconds (AUTH_ACCESS_TOKEN_TTL_SECONDS). Required. */
  ttlSeconds: number;
  /** Clock skew tolerated between instances for exp, nbf and iat, in seconds. Required. */
  clockToleranceSeconds: number;
}

/** Creates the access token signer and verifier. Only EdDSA is accepted, so neither `none` nor an HMAC downgrade can pass. */
export function createAccessTokens({ keys, issuer, audience, ttlSeconds, clockToleranceSeconds }: AccessTokenOptions): AccessTokens {
  async function keyOf(header: JWTHeaderParameters) {
    if (typeof header.kid !== "string" || header.kid === "") {
      throw new ConnectError("token header lacks a kid", Code.Unauthenticated);
    }
    const key = await keys.verifier(header.kid);
    if (!key) throw new ConnectError("token kid names no key of this issuer", Code.Unauthenticated);
    return key.publicKey;
  }

  return {
    ttlSeconds,
    async sign(subject) {
      const key = keys.signer();
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: "EdDSA", typ: tokenType, kid: key.kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(subject)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .setJti(randomUUID())
        .sign(key.privateKey);
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, keyOf, {
        algorithms: ["EdDSA"],
        issuer,
        audience,
        typ: tokenType,
        clockTolerance: clockToleranceSeconds,
        // Bounds exp by iat, and rejects an iat in the future.
        maxTokenAge: ttlSeconds,
        requiredClaims: ["sub", "iat", "exp", "jti"],
      }).catch((err: unknown) => Promise.reject(connectErrorFromJose(err)));
      if (typeof payload.sub !== "string" || typeof payload.jti !== "string") {
        throw new ConnectError("token is malformed: sub and jti must be strings", Code.Unauthenticated);
      }
      return create(ClaimsSchema, {
        subject: payload.sub,
        issuer: payload.iss ?? "",
        audience: typeof payload.aud === "string" ? [payload.aud] : (payload.aud ?? []),
        issueTime: timestampFromMs(payload.iat! * 1000),
        expireTime: timestampFromMs(payload.exp! * 1000),
        tokenId: payload.jti,
      });
    },
  };
}
