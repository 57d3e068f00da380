import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { EnvError } from "@kinetic/runtime";
import { generateSigningJwk } from "./generate-signing-jwk.js";
import { signingKeyFromJwk } from "./signing-key-from-jwk.js";
import { createSigningKeySource } from "./signing-key-source.js";
import type { SigningKeyStore } from "./signing-key-store.js";

const noStore: SigningKeyStore = {
  list: () => Promise.reject(new Error("the store must not be used")),
  insertIfNoneSigns: () => Promise.reject(new Error("the store must not be used")),
  rotate: () => Promise.reject(new Error("the store must not be used")),
};

describe("createSigningKeySource", () => {
  const dir = mkdtempSync(join(tmpdir(), "auth-keys-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("should read a JWK set from AUTH_SIGNING_KEYS_FILE on every load, newest first", async () => {
    const [newest, older] = [await generateSigningJwk(), await generateSigningJwk()];
    const file = join(dir, "keys.json");
    writeFileSync(file, JSON.stringify({ keys: [older] }));
    const source = createSigningKeySource({ file, json: undefined, store: noStore });
    assert.deepEqual((await source.load()).map((k) => k.jwk), [older]);
    writeFileSync(file, JSON.stringify({ keys: [newest, older] }));
    assert.deepEqual((await source.load()).map((k) => k.jwk), [newest, older]);
  });

  it("should refuse both variables at once, bad JSON and an empty set, without quoting the secret", async () => {
    assert.throws(() => createSigningKeySource({ file: "/x", json: "{}", store: noStore }), EnvError);
    const secret = "{not json but secret";
    assert.throws(() => createSigningKeySource({ file: undefined, json: secret, store: noStore }), (err: Error) => {
      assert.match(err.message, /AUTH_SIGNING_KEYS must be a JSON JWK set/);
      return !err.message.includes(secret);
    });
    assert.throws(() => createSigningKeySource({ file: undefined, json: '{"keys":[]}', store: noStore }), /at least one key/);
    const missing = createSigningKeySource({ file: join(dir, "missing.json"), json: undefined, store: noStore });
    await assert.rejects(missing.load(), /AUTH_SIGNING_KEYS_FILE could not be read: ENOENT/);
  });
});

describe("signingKeyFromJwk", () => {
  it("should import a private Ed25519 JWK and publish only its public half", async () => {
    const jwk = await generateSigningJwk();
    const key = await signingKeyFromJwk(jwk, "key 1");
    assert.equal(key.kid, jwk.kid);
    assert.deepEqual(key.publicJwk, { kty: "OKP", crv: "Ed25519", x: jwk.x, kid: jwk.kid, alg: "EdDSA", use: "sig" });
  });

  it("should use the thumbprint as kid when the JWK has none", async () => {
    const { kid, ...withoutKid } = await generateSigningJwk();
    assert.equal((await signingKeyFromJwk(withoutKid, "key 1")).kid, kid);
  });

  it("should refuse what is not a private Ed25519 key pair, naming the key but never its secret", async () => {
    const jwk = await generateSigningJwk();
    const other = await generateSigningJwk();
    const cases: [unknown, RegExp][] = [
      ["text", /must be a JWK object/],
      [{ ...jwk, crv: "X25519" }, /must be an Ed25519 key/],
      [{ ...jwk, d: undefined }, /lacks its private part d/],
      [{ ...jwk, alg: "RS256" }, /alg must be "EdDSA"/],
      [{ ...jwk, use: "enc" }, /use must be "sig"/],
      [{ ...jwk, x: other.x }, /x must be the public key of d/],
    ];
    for (const [input, pattern] of cases) {
      await assert.rejects(signingKeyFromJwk(input, "AUTH_SIGNING_KEYS key 2"), (err: Error) => {
        assert.match(err.message, /^AUTH_SIGNING_KEYS key 2 /);
        assert.match(err.message, pattern);
        return !err.message.includes(jwk.d!);
      });
    }
  });
});
