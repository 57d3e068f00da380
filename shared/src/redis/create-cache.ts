import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../log/logger.js";
import { connectErrorFromRedis } from "./connect-error-from-redis.js";
import type { FunctionRedis } from "./open-function-redis.js";
import { validateKeyPart } from "./validate-key-part.js";

/** A read-through cache in Redis in front of a slower source of truth. */
export interface Cache<T> {
  /**
   * The cached value of `key`, or else `load()`'s, which is then cached. Concurrent calls for one
   * key share one `load()`. Never fails because of Redis; an error of `load()` propagates
   * unchanged and is not cached.
   */
  get(key: string, load: () => Promise<T>): Promise<T>;
  /** Forgets `key`. Throws `Unavailable` when Redis is down: the old value then lives until its TTL. */
  delete(key: string): Promise<void>;
}

export interface CacheOptions<T> {
  /** The function's Redis, from `openFunctionRedis`. Required. */
  redis: FunctionRedis;
  /** What is cached, such as "user": keys are `<function>:<namespace>:<key>`. Required. */
  namespace: string;
  /** How long a value stays cached, in whole seconds. Required. */
  ttlSeconds: number;
  /** Turns a value into the text stored. Default `JSON.stringify`. */
  encode?: ((value: T) => string) | undefined;
  /** Turns stored text back into a value. Default `JSON.parse`. */
  decode?: ((text: string) => T) | undefined;
  /** Receives, at debug, every read that bypassed Redis. Required. */
  log: Logger;
  /** On a miss, how long one process may load the key while others wait for its value, in milliseconds. Default 1000. */
  lockMs?: number | undefined;
  /** How often a waiting process looks for that value, in milliseconds. Default 25. */
  pollMs?: number | undefined;
}

interface Flight<T> {
  promise: Promise<T>;
  /** Set by `delete`: the value being loaded may predate the change, so it is not stored. */
  stale: boolean;
}

// Deletes the lock only if it still holds our token: it may have expired and been taken by another process.
const releaseScript = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`;

/**
 * Creates a read-through cache under the function's key prefix. On a miss, one process takes a
 * short Redis lock and loads while the others poll for its value, so a stampede across N
 * instances costs about one load. Whenever Redis is unavailable or fails, reads go straight to
 * `load()`, without waiting for timeouts.
 *
 * @example
 * const users = createCache<User>({ redis, namespace: "user", ttlSeconds: 60, log });
 * const user = await users.get(id, () => loadUser(id));
 */
export function createCache<T>(options: CacheOptions<T>): Cache<T> {
  const { redis, namespace, ttlSeconds, log, lockMs = 1000, pollMs = 25 } = options;
  const { encode = JSON.stringify, decode = JSON.parse as (text: string) => T } = options;
  validateKeyPart("cache namespace", namespace);
  for (const [field, value] of [["ttlSeconds", ttlSeconds], ["lockMs", lockMs], ["pollMs", pollMs]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`invalid ${field} ${value}: use a whole number, at least 1`);
  }
  const { client } = redis;
  const flights = new Map<string, Flight<T>>();
  const dataKey = (key: string) => `${namespace}:${key}`;
  const lockKey = (key: string) => `${namespace}.lock:${key}`; // no namespace contains ".", so never a data key

  const bypass = (err: unknown) => log.debug("cache bypassed redis", { namespace, reason: connectErrorFromRedis(err).rawMessage });

  /** The stored text, or the token of the lock we now hold, or neither once `lockMs` has passed. */
  async function findOrLock(key: string): Promise<{ text?: string; token?: string }> {
    const deadline = Date.now() + lockMs;
    for (;;) {
      const text = await client.get(dataKey(key));
      if (text !== null) return { text };
      const token = randomUUID();
      if ((await client.set(lockKey(key), token, "PX", lockMs, "NX")) === "OK") return { token };
      if (Date.now() >= deadline) return {};
      await sleep(pollMs);
    }
  }

  async function store(key: string, value: T, flight: Flight<T>): Promise<void> {
    if (flight.stale) return;
    let text: string;
    try {
      text = encode(value);
    } catch (err) {
      log.warn("cache value could not be encoded", { namespace, error: err });
      return;
    }
    await client.set(dataKey(key), text, "EX", ttlSeconds).catch(bypass);
  }

  async function readThrough(key: string, load: () => Promise<T>, flight: Flight<T>): Promise<T> {
    if (!redis.available) {
      log.debug("cache bypassed redis", { namespace, reason: "redis is unavailable" });
      return load();
    }
    let found: { text?: string; token?: string };
    try {
      found = await findOrLock(key);
    } catch (err) {
      bypass(err);
      return load();
    }
    if (found.text !== undefined) {
      try {
        return decode(found.text);
      } catch (err) {
        log.warn("cached value could not be decoded: loading it again", { namespace, error: err });
      }
    }
    try {
      const value = await load();
      await store(key, value, flight);
      return value;
    } finally {
      if (found.token !== undefined) await client.eval(releaseScript, 1, lockKey(key), found.token).catch(bypass);
    }
  }

  return {
    get(key, load) {
      const current = flights.get(key);
      if (current) return current.promise;
      const flight = { stale: false } as Flight<T>;
      flight.promise = readThrough(key, load, flight).finally(() => {
        if (flights.get(key) === flight) flights.delete(key);
      });
      flights.set(key, flight);
      return flight.promise;
    },
    async delete(key) {
      const flight = flights.get(key);
      if (flight) flight.stale = true;
      flights.delete(key);
      await client.del(dataKey(key)).catch((err: unknown) => {
        throw connectErrorFromRedis(err);
      });
    },
  };
}
