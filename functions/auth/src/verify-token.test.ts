import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code } from "@connectrpc/connect";
import { CompactSign, importJWK, SignJWT, type JWTPayload } from "jose";
import { generateSigningJwk } from "./generate-signing-jwk.js";
import { createAuthTestStack, rejectsWith, type AuthTestStack, type TestAuth } from "./testing/auth-test-stack.js";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Flips one character in the middle of a base64url segment, so the decoded bytes surely change. */
function tamper(segment: string): string {
  const i = Math.floor(segment.length / 2);
  return segment.slice(0, i) + (segment[i] === "A" ? "B" : "A") + segment.slice(i + 1);
}

describe("auth VerifyToken", () => {
  let stack: AuthTestStack;
  let auth: TestAuth;
  let kid: string;
  let sign: (claims: JWTPayload, header?: Record<string, unknown>, key?: CryptoKeyLike) => Promise<string>;
  type CryptoKeyLike = Awaited<ReturnType<typeof importJWK>>;
  let key: CryptoKeyLike;
  let otherKey: CryptoKeyLike;
  const now = () => Math.floor(Date.now() / 1000);
  const valid = (): JWTPayload => ({ iss: "kinetic-auth", aud: "kinetic", sub: "user-1", iat: now(), exp: now() + 600, jti: "t-1" });

  before(async () => {
    // A key set the test knows, so it can sign tokens that are wrong in one way each.
    const jwk = await generateSigningJwk();
    kid = jwk.kid;
    key = await importJWK(jwk, "EdDSA");
    otherKey = await importJWK(await generateSigningJwk(), "EdDSA");
    sign = (claims, header = {}, signingKey = key) =>
      new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid, ...header }).sign(signingKey);
    stack = await createAuthTestStack();
    auth = await stack.startAuth({ AUTH_SIGNING_KEYS: JSON.stringify({ keys: [jwk] }) });
  });
  after(() => stack.close());

  const rejected = (token: string, pattern: RegExp) => assert.rejects(auth.client.verifyToken({ token }), rejectsWith(Code.Unauthenticated, pattern));

  it("should accept a well-formed token signed with the configured key", async () => {
    const { claims } = await auth.client.verifyToken({ token: await sign(valid()) });
    assert.equal(claims?.subject, "user-1");
    assert.equal(claims?.tokenId, "t-1");
  });

  it("should sign login tokens with the configured key", async () => {
    const user = await stack.createUser();
    const { tokens } = await auth.client.login({ email: user.email, password: user.password });
    const header = JSON.parse(Buffer.from(tokens!.accessToken.split(".")[0]!, "base64url").toString()) as { kid: string };
    assert.equal(header.kid, kid);
  });

  it("should reject an expired token", async () => {
    await rejected(await sign({ ...valid(), iat: now() - 4000, exp: now() - 3600 }), /^token has expired$/);
  });

  it("should reject a token that is not yet valid, by nbf or by iat", async () => {
    await rejected(await sign({ ...valid(), nbf: now() + 3600 }), /not yet valid.*nbf/);
    await rejected(await sign({ ...valid(), iat: now() + 3600, exp: now() + 4000 }), /not yet valid.*iat/);
  });

  it("should reject a wrong audience or issuer", async () => {
    await rejected(await sign({ ...valid(), aud: "someone-else" }), /audience/);
    await rejected(await sign({ ...valid(), iss: "https://evil.example" }), /issuer/);
  });

  it("should reject alg none and an HMAC token", async () => {
    const none = `${b64({ alg: "none", typ: "at+jwt", kid })}.${b64(valid())}.`;
    await rejected(none, /algorithm/);
    const hmac = await new SignJWT(valid()).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid }).sign(new TextEncoder().encode(kid));
    await rejected(hmac, /algorithm/);
  });

  it("should reject a tampered payload or signature", async () => {
    const [header, payload, signature] = (await sign(valid())).split(".") as [string, string, string];
    await rejected(`${header}.${b64({ ...valid(), sub: "admin" })}.${signature}`, /signature is invalid/);
    await rejected(`${header}.${tamper(payload)}.${signature}`, /signature is invalid|malformed/);
    await rejected(`${header}.${payload}.${tamper(signature)}`, /signature is invalid/);
  });

  it("should reject an unknown kid, a missing kid, and another key using a known kid", async () => {
    await rejected(await sign(valid(), { kid: "not-ours" }), /kid names no key/);
    await rejected(await sign(valid(), { kid: undefined }), /lacks a kid/);
    await rejected(await sign(valid(), {}, otherKey), /signature is invalid/);
  });

  it("should reject a token of another type or lacking claims", async () => {
    await rejected(await sign(valid(), { typ: "JWT" }), /type/);
    const { jti: _jti, ...withoutJti } = valid();
    await rejected(await sign(withoutJti), /lacks the jti claim/);
  });

  it("should reject malformed tokens, signed or not", async () => {
    for (const token of ["not-a-jwt", "a.b.c", "a.b"]) await rejected(token, /^token is malformed/);
    const notJson = await new CompactSign(new TextEncoder().encode("not json")).setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid }).sign(key);
    await rejected(notJson, /^token is malformed/);
  });
});
