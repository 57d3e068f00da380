import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EnvError } from "./env-var.js";
import { readRuntimeConfig } from "./runtime-config.js";

describe("runtime config", () => {
  it("should take REDIS_URL as a redis URL or off", () => {
    assert.equal(readRuntimeConfig({}).REDIS_URL, "redis://127.0.0.1:6379");
    assert.equal(readRuntimeConfig({ REDIS_URL: "rediss://cache:6380/2" }).REDIS_URL, "rediss://cache:6380/2");
    assert.equal(readRuntimeConfig({ REDIS_URL: "off" }).REDIS_URL, "off");
  });

  it("should reject a REDIS_URL that is neither, naming the variable and what it accepts", () => {
    assert.throws(
      () => readRuntimeConfig({ REDIS_URL: "http://cache:6379" }),
      (err: unknown) => err instanceof EnvError && /REDIS_URL/.test(err.message) && /redis:\/\/.*or off/.test(err.message),
    );
  });
});
