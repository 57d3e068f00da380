import { toJson, type DescMessage, type JsonObject, type Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { EventHandler } from "@kinetic/runtime";
import { createAuditStore } from "./audit-store.js";
import { traceIdFromTraceparent } from "./trace-id-from-traceparent.js";

/**
 * The handler recording events of `schema`: the row and its announcement to Tail are written in
 * the delivery's transaction, with the runtime's inbox row, so each event is recorded and
 * announced once. The data is stored as protobuf JSON, whatever encoding it arrived in.
 */
export function createRecordHandler(schema: DescMessage): EventHandler<Message> {
  return async function recordEvent(data, { tx, event, log }) {
    if (!tx) throw new ConnectError("audit needs Postgres to record events: declare migrations", Code.Internal);
    const recorded = await createAuditStore(tx).record({
      source: event.source,
      id: event.id,
      type: event.type,
      subject: event.subject ?? "",
      time: event.time,
      actor: event.extensions["actor"] ?? "",
      traceId: traceIdFromTraceparent(event.extensions["traceparent"]),
      data: toJson(schema, data) as JsonObject,
    });
    if (!recorded) log.debug("event already recorded", { event_source: event.source });
  };
}
