import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientAddressFromHeaders } from "./client-address.js";

const forwarded = (value: string) => new Headers({ "x-forwarded-for": value });

describe("clientAddressFromHeaders", () => {
  it("should take the leftmost entry when the gateway is trusted to overwrite the header", () => {
    assert.equal(clientAddressFromHeaders(forwarded("203.0.113.7, 10.0.0.2, 10.0.0.3"), 0), "203.0.113.7");
  });

  it("should take the entry the outermost trusted proxy appended, ignoring what the client wrote before it", () => {
    const header = forwarded("198.51.100.1, 203.0.113.7, 10.0.0.2");
    assert.equal(clientAddressFromHeaders(header, 2), "203.0.113.7");
    assert.equal(clientAddressFromHeaders(header, 1), "10.0.0.2");
  });

  it("should normalise IPv6 case and trim spaces", () => {
    assert.equal(clientAddressFromHeaders(forwarded("  2001:DB8::1 ,10.0.0.2"), 0), "2001:db8::1");
  });

  it("should answer undefined without a header, with too few entries, or with an entry that is no IP address", () => {
    assert.equal(clientAddressFromHeaders(new Headers(), 0), undefined);
    assert.equal(clientAddressFromHeaders(forwarded("203.0.113.7"), 2), undefined);
    assert.equal(clientAddressFromHeaders(forwarded("unknown, 10.0.0.2"), 0), undefined);
    assert.equal(clientAddressFromHeaders(forwarded(""), 0), undefined);
  });
});
