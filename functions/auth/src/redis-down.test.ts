import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code } from "@connectrpc/connect";
import { createAuthTestStack, rejectsWith, type AuthTestStack, type TestAuth } from "./testing/auth-test-stack.js";

describe("auth without redis", () => {
  let stack: AuthTestStack;
  let auth: TestAuth;
  before(async () => {
    stack = await createAuthTestStack();
    // Nothing listens on port 1: every connection attempt is refused.
    auth = await stack.startAuth({ REDIS_URL: "redis://127.0.0.1:1", AUTH_MAX_FAILED_LOGINS_PER_ACCOUNT: "2" }, { waitForRedis: false });
  });
  after(() => stack.close());

  it("should start, and let logins through uncounted with a warning", async () => {
    const user = await stack.createUser();
    for (let i = 0; i < 4; i++) {
      await assert.rejects(auth.client.login({ email: user.email, password: "wrong" }), rejectsWith(Code.Unauthenticated, /incorrect/));
    }
    const { tokens } = await auth.client.login({ email: user.email, password: user.password });
    assert.equal((await auth.client.verifyToken({ token: tokens!.accessToken })).claims?.subject, user.id);
    assert.ok(auth.server.logs.some((line) => line["level"] === "warn" && /login rate limit .*skipped/.test(String(line["msg"]))));
  });
});
