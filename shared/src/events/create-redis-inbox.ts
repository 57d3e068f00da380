import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "../log/logger.js";
import { connectErrorFromRedis } from "../redis/connect-error-from-redis.js";
import type { FunctionRedis } from "../redis/open-function-redis.js";
import type { CloudEvent } from "./cloud-event.js";
import type { Inbox } from "./create-inbox.js";

export interface CreateRedisInboxOptions {
  /** The function's Redis; keys are `<name>:inbox:<source>:<id>`, both parts URI-encoded. Required. */
  redis: FunctionRedis;
  /** How long a handled event is remembered, in seconds. Required. */
  ttlSeconds: number;
  /** Receives a warning when Redis cannot be used. Required. */
  log: Logger;
}

/** How long a delivery holds an event before another may take it over: longer than any handler should run. */
const leaseMs = 300_000;

// Deletes the lease only if it is still this delivery's: an expired one may belong to another now.
const releaseScript = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`;

/**
 * Deduplicates with Redis when the function has no Postgres. A delivery first takes a lease
 * (`SET key processing:<token> NX PX 300000`, 5 minutes); on success it marks the event `done` for
 * `ttlSeconds`, on failure it releases the lease so a redelivery runs again. A delivery that
 * finds another's lease answers `unavailable` (retried later: by then it is done, or the lease
 * expired because that instance crashed). When Redis is unavailable the handler runs anyway,
 * with a warning: at-least-once is kept, deduplication is not.
 *
 * @internal
 */
export function createRedisInbox({ redis, ttlSeconds, log }: CreateRedisInboxOptions): Inbox {
  const bypass = async <T>(event: CloudEvent, work: () => Promise<T>, reason: string) => {
    log.warn("event handled without deduplication: redis is unavailable", { event_type: event.type, event_id: event.id, reason });
    return { duplicate: false, value: await work() } as const;
  };
  return {
    kind: "redis",
    async process(event, work) {
      const key = `inbox:${encodeURIComponent(event.source)}:${encodeURIComponent(event.id)}`;
      const run = () => work(undefined);
      if (!redis.available) return bypass(event, run, "not connected");
      const token = `processing:${randomUUID()}`;
      let claimed: boolean;
      try {
        claimed = (await redis.client.set(key, token, "PX", leaseMs, "NX")) === "OK";
      } catch (err) {
        return bypass(event, run, connectErrorFromRedis(err).rawMessage);
      }
      if (!claimed) {
        const state = await redis.client.get(key).catch(() => null);
        if (state === "done") return { duplicate: true };
        throw new ConnectError("event is being handled by another delivery; retry later", Code.Unavailable);
      }
      let value;
      try {
        value = await run();
      } catch (err) {
        await redis.client.eval(releaseScript, 1, key, token).catch(() => undefined); // the lease expires anyway
        throw err;
      }
      await redis.client.set(key, "done", "EX", ttlSeconds).catch((err: unknown) => {
        log.warn("handled event not marked done: a redelivery after the lease runs it again", {
          event_type: event.type,
          event_id: event.id,
          reason: connectErrorFromRedis(err).rawMessage,
        });
      });
      return { duplicate: false, value };
    },
  };
}
