import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { nodeHeaderObject } from "./node-header-object.js";

describe("nodeHeaderObject", () => {
  it("should inherit nothing, so that any header name is a plain own property", () => {
    const out = nodeHeaderObject();
    assert.equal(out["constructor"], undefined);
    assert.equal(out["__proto__"], undefined);
    assert.equal(out["toString"], undefined);
    out["__proto__"] = "a";
    out["constructor"] = ["b", "c"];
    assert.deepEqual(Object.keys(out), ["__proto__", "constructor"]);
    assert.equal(Object.getPrototypeOf(Object.getPrototypeOf(out)), null);
    assert.deepEqual({ ...out }, Object.fromEntries([["__proto__", "a"], ["constructor", ["b", "c"]]]));
  });

  it("should be what node's writeHead sends, names and values as set", async () => {
    const out = nodeHeaderObject();
    out["x-one"] = "1";
    out["__proto__"] = "proto";
    out["set-cookie"] = ["a=1", "b=2"];
    const server = http.createServer((_req, res) => res.writeHead(200, out).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      assert.equal(res.headers.get("x-one"), "1");
      assert.equal(res.headers.get("__proto__"), "proto");
      assert.deepEqual(res.headers.getSetCookie(), ["a=1", "b=2"]);
    } finally {
      server.close();
    }
  });
});
