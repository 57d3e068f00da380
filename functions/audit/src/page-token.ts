import { createHash } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { AuditFilters } from "./audit-store.js";

const prefix = "audit.v1:";
const tokenPattern = /^(\d{1,19}):([\w-]{11})$/;
const maxSeq = 2n ** 63n - 1n;

/** Internal: 8 bytes of SHA-256 over the filters, so a cursor only continues the query that made it. */
function filtersHash({ typePrefix, subject, startTime, endTime }: AuditFilters): string {
  const canonical = JSON.stringify([typePrefix, subject, startTime?.toISOString() ?? "", endTime?.toISOString() ?? ""]);
  return createHash("sha256").update(canonical).digest().subarray(0, 8).toString("base64url");
}

/** The opaque Query cursor: the last seq of a page, bound to the page's filters. */
export function pageTokenFromSeq(seq: string, filters: AuditFilters): string {
  return Buffer.from(`${prefix}${seq}:${filtersHash(filters)}`).toString("base64url");
}

/**
 * Reads a cursor back. A token not made by `pageTokenFromSeq`, or made for other filters, is
 * `invalid_argument`: continuing it would skip or repeat events without telling.
 */
export function seqFromPageToken(token: string, filters: AuditFilters): string {
  const text = Buffer.from(token, "base64url").toString();
  const match = text.startsWith(prefix) ? tokenPattern.exec(text.slice(prefix.length)) : null;
  if (!match || BigInt(match[1]!) > maxSeq) {
    throw new ConnectError("page_token is not a token returned by Query; omit it to start from the first page", Code.InvalidArgument);
  }
  if (match[2] !== filtersHash(filters)) {
    throw new ConnectError(
      "page_token was returned for other filters: send the same type_prefix, subject, start_time and end_time, or omit it to start over",
      Code.InvalidArgument,
    );
  }
  return match[1]!;
}
