import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { AuditService, type QueryRequest } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { connectErrorFromPostgres } from "@kinetic/runtime";
import type { Sql } from "postgres";
import { createAuditStore, type AuditFilters } from "./audit-store.js";
import { pageTokenFromSeq, seqFromPageToken } from "./page-token.js";
import type { TailHub } from "./tail-hub.js";

const defaultPageSize = 50;

function filtersOf(req: QueryRequest): AuditFilters {
  const filters = {
    typePrefix: req.typePrefix,
    subject: req.subject,
    startTime: req.startTime && timestampDate(req.startTime),
    endTime: req.endTime && timestampDate(req.endTime),
  };
  if (filters.startTime && filters.endTime && filters.startTime >= filters.endTime) {
    throw new ConnectError("end_time must be after start_time", Code.InvalidArgument);
  }
  return filters;
}

/**
 * The AuditService handlers. Request fields are validated by the rules in the proto before a
 * handler runs; what is left here is what those rules cannot say.
 */
export function createAuditService(sql: Sql, hub: TailHub): ServiceImpl<typeof AuditService> {
  const store = createAuditStore(sql);
  return {
    async query(req) {
      const filters = filtersOf(req);
      const pageSize = req.pageSize || defaultPageSize;
      const after = req.pageToken === "" ? undefined : seqFromPageToken(req.pageToken, filters);
      const page = await store.query(filters, after, pageSize + 1).catch((err: unknown) => Promise.reject(connectErrorFromPostgres(err)));
      const records = page.slice(0, pageSize);
      const last = records.at(-1);
      return {
        events: records.map((r) => r.event),
        nextPageToken: page.length > pageSize && last ? pageTokenFromSeq(last.seq, filters) : "",
      };
    },
    async *tail(req, ctx) {
      for await (const event of hub.subscribe(req.typePrefix, ctx.signal)) yield { event };
    },
  };
}
