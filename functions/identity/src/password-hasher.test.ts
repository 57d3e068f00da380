import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPasswordHasher } from "./password-hasher.js";

describe("password hasher", () => {
  it("should verify the right password and refuse a wrong one with the default (OWASP) cost", async () => {
    const hasher = createPasswordHasher();
    const stored = await hasher.hash("hunter2 ✓");
    assert.match(stored, /^scrypt\$15\$8\$3\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    assert.equal(await hasher.verify("hunter2 ✓", stored), true);
    assert.equal(await hasher.verify("hunter2", stored), false);
  });

  it("should salt every hash", async () => {
    const hasher = createPasswordHasher({ logN: 10, p: 1 });
    assert.notEqual(await hasher.hash("same"), await hasher.hash("same"));
  });

  it("should verify hashes made with other parameters, so costs can be raised later", async () => {
    const old = await createPasswordHasher({ logN: 10, p: 1 }).hash("pw");
    assert.equal(await createPasswordHasher({ logN: 12, p: 2 }).verify("pw", old), true);
  });

  it("should treat canonically equivalent unicode passwords as the same", async () => {
    const hasher = createPasswordHasher({ logN: 10, p: 1 });
    const stored = await hasher.hash("caf\u00e9");
    assert.equal(await hasher.verify("cafe\u0301", stored), true);
  });

  it("should refuse a stored value that is not a hash it knows", async () => {
    await assert.rejects(createPasswordHasher().verify("pw", "md5$abc"), /unrecognised password hash format/);
  });
});
