import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requestHeadersForInstance, responseHeadersForClient } from "./proxy-headers.js";

describe("proxy headers", () => {
  it("should keep end-to-end headers and gRPC's te on HTTP/2, and drop the connection's own", () => {
    const out = requestHeadersForInstance(
      { ":method": "POST", ":path": "/x.v1.S/M", ":scheme": "http", ":authority": "echo.localhost:8080", host: "other", te: "trailers", "content-type": "application/grpc", "grpc-timeout": "5S" },
      "127.0.0.1",
      true,
    );
    assert.deepEqual(out, {
      ":method": "POST",
      ":path": "/x.v1.S/M",
      ":authority": "echo.localhost:8080",
      te: "trailers",
      "content-type": "application/grpc",
      "grpc-timeout": "5S",
      "x-forwarded-for": "127.0.0.1",
      forwarded: 'for=127.0.0.1;host="echo.localhost:8080";proto=http',
    });
  });

  it("should drop hop-by-hop headers and those Connection names on HTTP/1.1, and append to the forwarding chain", () => {
    const out = requestHeadersForInstance(
      { host: "echo.localhost", connection: "keep-alive, X-Hop", "keep-alive": "timeout=5", "x-hop": "1", te: "trailers", upgrade: "h2c", "x-forwarded-for": "203.0.113.7", forwarded: "for=203.0.113.7", accept: "*/*" },
      "::1",
      false,
    );
    assert.deepEqual(out, {
      host: "echo.localhost",
      accept: "*/*",
      "x-forwarded-for": "203.0.113.7, ::1",
      forwarded: 'for=203.0.113.7, for="[::1]";host="echo.localhost";proto=http',
    });
  });

  it("should pass a response's headers and trailers without pseudo-headers or hop-by-hop ones", () => {
    assert.deepEqual(responseHeadersForClient({ ":status": 200 as unknown as string, "content-type": "application/grpc", "transfer-encoding": "chunked", "grpc-status": "0", "set-cookie": ["a=1", "b=2"] }), {
      "content-type": "application/grpc",
      "grpc-status": "0",
      "set-cookie": ["a=1", "b=2"],
    });
  });
});
