import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import type { AuditFilters } from "./audit-store.js";
import { pageTokenFromSeq, seqFromPageToken } from "./page-token.js";

const filters: AuditFilters = { typePrefix: "kinetic.identity.", subject: "u1", startTime: new Date("2030-01-01T00:00:00Z"), endTime: undefined };

function rejectsPageToken(err: unknown): boolean {
  const e = ConnectError.from(err);
  return e.code === Code.InvalidArgument && /page_token/.test(e.rawMessage);
}

describe("page tokens", () => {
  it("should read back the seq of a token made for the same filters", () => {
    const token = pageTokenFromSeq("9223372036854775807", filters);
    assert.match(token, /^[\w-]+$/, "base64url");
    assert.equal(seqFromPageToken(token, { ...filters, startTime: new Date("2030-01-01T00:00:00Z") }), "9223372036854775807");
  });

  it("should refuse a token made for other filters", () => {
    const token = pageTokenFromSeq("42", filters);
    for (const other of [
      { ...filters, typePrefix: "kinetic." },
      { ...filters, subject: "u2" },
      { ...filters, startTime: undefined },
      { ...filters, endTime: new Date("2031-01-01T00:00:00Z") },
    ]) {
      assert.throws(() => seqFromPageToken(token, other), (e) => rejectsPageToken(e) && /other filters/.test(ConnectError.from(e).rawMessage));
    }
  });

  it("should refuse a token it did not make", () => {
    const forged = (text: string) => Buffer.from(text).toString("base64url");
    for (const token of ["bm9wZQ", forged("users.v1:42"), forged("audit.v1:-1:AAAAAAAAAAA"), forged("audit.v1:9223372036854775808:AAAAAAAAAAA")]) {
      assert.throws(() => seqFromPageToken(token, filters), rejectsPageToken, token);
    }
  });
});
