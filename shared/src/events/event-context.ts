import type { Sql, TransactionSql } from "postgres";
import type { FunctionContext } from "../function/define-function.js";
import type { Logger } from "../log/logger.js";
import type { FunctionRedis } from "../redis/open-function-redis.js";
import type { CloudEvent } from "./cloud-event.js";
import type { EventReply } from "./event-reply.js";

/**
 * What the runtime gives the event receiver once per process: the same pools and client
 * `setup` receives, plus the `source` of the events the function emits.
 */
export interface EventRuntime {
  /** The function's Postgres pool; with it, deliveries are deduplicated in `kinetic_inbox`. Default none. */
  readonly sql?: Sql | undefined;
  /** The function's Redis; without Postgres, deliveries are deduplicated there. Default none. */
  readonly redis?: FunctionRedis | undefined;
  /** Receives one line per delivery; handlers get it in their context. Required. */
  readonly log: Logger;
  /** Typed clients of other functions, as in `FunctionContext`. Required. */
  readonly client: FunctionContext["client"];
  /** `source` of reply events: "/functions/<name>". Required. */
  readonly source: string;
}

/** What an event handler receives besides the decoded data. */
export interface EventContext {
  /** The delivered event: attributes, extensions and the data's bytes. */
  readonly event: CloudEvent;
  /**
   * The transaction the event's inbox row is written in, when the function has Postgres. Write
   * through it and the effect commits together with the record that the event was handled:
   * exactly once, even across crashes. Writes through the pool instead are at-least-once.
   */
  readonly tx: TransactionSql | undefined;
  readonly redis: FunctionRedis | undefined;
  /** The function's logger, with `event_type` and `event_id` on every line. */
  readonly log: Logger;
  readonly client: FunctionContext["client"];
}

/**
 * Handles one event; throw a `ConnectError` to choose between retrying (`unavailable`,
 * `resource_exhausted`, `internal`…) and giving up (`invalid_argument`, `failed_precondition`,
 * `not_found`…: the event goes to the dead-letter sink). Return `reply(…)` to emit an event back.
 */
export type EventHandler<T> = (data: T, ctx: EventContext) => Promise<void | EventReply>;
