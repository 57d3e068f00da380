import { Redis } from "ioredis";
import type { Logger } from "../log/logger.js";
import { connectErrorFromRedis } from "./connect-error-from-redis.js";
import { validateKeyPart } from "./validate-key-part.js";

/** A function's Redis connection. Redis is optional at run time: the function serves without it. */
export interface FunctionRedis {
  /** The ioredis client; every key it sends is prefixed with `<name>:`. Its errors go through `connectErrorFromRedis`. */
  readonly client: Redis;
  /** True while connected; check it to skip optional Redis work at once instead of failing a command. */
  readonly available: boolean;
  /** Closes the connection (waiting for pending replies) and stops reconnecting. */
  close(): Promise<void>;
}

export interface OpenFunctionRedisOptions {
  /** The function's name: every key is prefixed with `<name>:`. Required. */
  name: string;
  /** REDIS_URL, such as redis://127.0.0.1:6379. Required. */
  url: string;
  /** Receives one line when Redis becomes unavailable and one when it is back. Required. */
  log: Logger;
  /** How long one connection attempt may take, in milliseconds. Default 2000. */
  connectTimeoutMs?: number | undefined;
  /**
   * A command with no reply after this many milliseconds fails `Unavailable`, so a hung Redis
   * cannot stall requests. Applies to blocking commands too: run those on
   * `client.duplicate({ commandTimeout: … })`. Default 1000.
   */
  commandTimeoutMs?: number | undefined;
}

const firstRetryMs = 50;
const maxRetryMs = 2000;

/**
 * Opens a function's Redis connection without waiting for it. A Redis that is down never throws
 * nor delays the start: the client reconnects forever in the background (capped exponential
 * back-off), and meanwhile commands fail at once with an error `connectErrorFromRedis` maps to
 * `Unavailable`, because the offline queue is off and a request is retried at most once.
 *
 * @example
 * const redis = openFunctionRedis({ name: "identity", url: config.REDIS_URL, log });
 * if (redis.available) await redis.client.incr("logins"); // key "identity:logins"
 */
export function openFunctionRedis({ name, url, log, connectTimeoutMs = 2000, commandTimeoutMs = 1000 }: OpenFunctionRedisOptions): FunctionRedis {
  validateKeyPart("function name", name);
  const client = new Redis(url, {
    keyPrefix: `${name}:`,
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    retryStrategy: reconnectDelay,
  });
  let closing = false;
  watchAvailability(client, log, () => closing);
  return {
    client,
    get available() {
      return client.status === "ready";
    },
    close: () => {
      closing = true;
      return closeClient(client);
    },
  };
}

/** Milliseconds before reconnect attempt `attempt` (1, 2, …): doubling from 50 up to 2000, with jitter so instances spread out. */
function reconnectDelay(attempt: number): number {
  const delay = Math.min(firstRetryMs * 2 ** (attempt - 1), maxRetryMs);
  return Math.round(delay * (0.75 + Math.random() / 4));
}

/** Logs transitions only, not every failed reconnect attempt; also keeps ioredis from printing unhandled "error" events. */
function watchAvailability(client: Redis, log: Logger, closing: () => boolean): void {
  let state: "connecting" | "up" | "down" = "connecting";
  client.on("ready", () => {
    if (state === "down") log.info("redis is available again");
    else if (state === "connecting") log.info("redis connected");
    state = "up";
  });
  const down = (err?: unknown) => {
    if (state === "down" || closing()) return;
    state = "down";
    const reason = err === undefined ? "connection closed" : connectErrorFromRedis(err).rawMessage;
    log.warn("redis is unavailable: features that need it fail until it is back", { reason });
  };
  client.on("error", (err: unknown) => down(err));
  client.on("close", () => down());
}

async function closeClient(client: Redis): Promise<void> {
  if (client.status === "end") return;
  if (client.status !== "ready" && client.status !== "connect" && client.status !== "connecting") {
    client.disconnect(); // between attempts there is no socket, so no "end" event would come
    return;
  }
  const ended = new Promise((resolve) => client.once("end", resolve));
  if (client.status === "ready") await client.quit().catch(() => client.disconnect());
  else client.disconnect();
  await ended;
}
