import { Code, ConnectError } from "@connectrpc/connect";
import { errors } from "jose";

const byClaim: Readonly<Record<string, string>> = {
  nbf: "token is not yet valid: its nbf is in the future",
  iat: "token is not yet valid: its iat is in the future",
  iss: "token issuer is not accepted",
  aud: "token audience is not accepted",
  typ: 'token type is not accepted: the typ header must be "at+jwt"',
};

function unauthenticated(message: string, cause: unknown): ConnectError {
  return new ConnectError(message, Code.Unauthenticated, undefined, undefined, cause);
}

/**
 * Converts what `jwtVerify` throws into a `ConnectError`: the one place token verification
 * failures get a code. Every failure caused by the token is `Unauthenticated`, with a message
 * saying what was wrong (expired, not yet valid, issuer, audience, algorithm, signature,
 * malformed) but never quoting the token. Anything else is `Internal`. A `ConnectError` (thrown
 * by the key lookup) is returned unchanged.
 *
 * @example
 * const claims = await jwtVerify(token, key, options).catch((err: unknown) => Promise.reject(connectErrorFromJose(err)));
 */
export function connectErrorFromJose(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof errors.JWTExpired) return unauthenticated("token has expired", err);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === "missing") return unauthenticated(`token lacks the ${err.claim} claim`, err);
    if (err.reason === "invalid") return unauthenticated(`token is malformed: its ${err.claim} claim has the wrong type`, err);
    return unauthenticated(byClaim[err.claim] ?? `token ${err.claim} claim is not accepted`, err);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return unauthenticated('token algorithm is not accepted: only "EdDSA" is', err);
  if (err instanceof errors.JWSSignatureVerificationFailed) return unauthenticated("token signature is invalid", err);
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) {
    return unauthenticated("token is malformed: expected a signed JWT, header.payload.signature", err);
  }
  // jose throws TypeError for claims of the wrong JSON type (a numeric "iss", an object "aud").
  if (err instanceof TypeError && /claim/.test(err.message)) return unauthenticated("token is malformed: a claim has the wrong type", err);
  return new ConnectError("token could not be verified", Code.Internal, undefined, undefined, err);
}
