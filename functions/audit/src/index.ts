import { AuditService } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { defineFunction, implement, integerVar, on } from "@kinetic/runtime";
import { createAuditService } from "./audit-service.js";
import { auditedEvents } from "./audited-events.js";
import { createRecordHandler } from "./record-handler.js";
import { createTailHub } from "./tail-hub.js";

/** audit: every platform event, recorded once, queried and tailed. The only entry point of the function. */
export default defineFunction({
  name: "audit",
  description: "every platform event, recorded once, queried and tailed",
  services: [AuditService],
  migrations: new URL("../migrations/", import.meta.url),
  subscriptions: auditedEvents.map((schema) => on(schema, createRecordHandler(schema))),
  env: {
    /** Events a Tail stream may have waiting before it is cut off with resource_exhausted. Default 1000. */
    AUDIT_TAIL_BUFFER: integerVar(1000, 1, 1_000_000),
  },
  setup({ sql, env, log }) {
    const hub = createTailHub({ sql: sql!, bufferSize: env.AUDIT_TAIL_BUFFER, log });
    // Draining ends every Tail with unavailable (clients reconnect elsewhere) instead of holding the drain.
    return { services: [implement(AuditService, createAuditService(sql!, hub))], drain: () => hub.close(), close: () => hub.close() };
  },
});
