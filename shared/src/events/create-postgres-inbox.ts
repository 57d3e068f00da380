import type { Sql } from "postgres";
import { connectErrorFromPostgres } from "../data/connect-error-from-postgres.js";
import type { Inbox } from "./create-inbox.js";

/**
 * Records handled events in `kinetic_inbox` (see `ensureInboxTable`) in the same transaction
 * as the handler's writes. The insert takes the row lock first: a concurrent delivery of the
 * same event waits for this one and then sees the row (duplicate) or, after a rollback, none
 * (it runs the handler itself). So the row exists if and only if the handler's transaction
 * committed. Failures of the inbox itself become `ConnectError`s (`connectErrorFromPostgres`).
 *
 * @internal
 */
export function createPostgresInbox(sql: Sql): Inbox {
  return {
    kind: "postgres",
    async process(event, work) {
      let failed: { error: unknown } | undefined;
      try {
        return await sql.begin(async (tx) => {
          const inserted = await tx`
            insert into kinetic_inbox (source, id, type) values (${event.source}, ${event.id}, ${event.type})
            on conflict do nothing
            returning 1 as inserted`;
          if (inserted.length === 0) return { duplicate: true } as const;
          try {
            return { duplicate: false, value: await work(tx) } as const;
          } catch (error) {
            failed = { error };
            throw error;
          }
        });
      } catch (err) {
        if (failed !== undefined && failed.error === err) throw err;
        throw connectErrorFromPostgres(err);
      }
    },
  };
}
