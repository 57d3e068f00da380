import { createHash } from "node:crypto";
import { connectErrorFromRedis, type FunctionRedis, type Logger } from "@kinetic/runtime";

/** Why a login is refused before the password is even checked. */
export interface LoginLock {
  /** Which counter is over its limit. */
  readonly scope: "account" | "address";
  /** Whole seconds until the window ends and logins are let through again. */
  readonly retryAfterSeconds: number;
}

/** Counts failed logins per account and per client address in Redis, in fixed windows. */
export interface LoginLimiter {
  /** The lock in force for this account or address, if either has reached its limit. */
  check(account: string, address: string | undefined): Promise<LoginLock | undefined>;
  /** Counts one failed login against the account and the address. */
  recordFailure(account: string, address: string | undefined): Promise<void>;
  /** Forgets the account's failures (a successful login); the address keeps its count. */
  reset(account: string): Promise<void>;
}

export interface LoginLimiterOptions {
  /** The function's Redis. When it is missing, down or failing, logins are let through. Required. */
  redis: FunctionRedis | undefined;
  /** Failed logins of one account a window allows (AUTH_MAX_FAILED_LOGINS_PER_ACCOUNT). Default 5. */
  maxPerAccount?: number;
  /** Failed logins from one address a window allows (AUTH_MAX_FAILED_LOGINS_PER_ADDRESS). Default 50. */
  maxPerAddress?: number;
  /** Length of a window in seconds, counted from its first failure (AUTH_FAILED_LOGIN_WINDOW_SECONDS). Default 900. */
  windowSeconds?: number;
  /** Receives a warning for every login let through without counting. Required. */
  log: Logger;
}

// Increments every key, starting its window on the first failure; atomic, so no key lives without a TTL.
const incrementScript = `for _, key in ipairs(KEYS) do
  if redis.call("INCR", key) == 1 then redis.call("EXPIRE", key, ARGV[1]) end
end
return 0`;

/** Keys hold a hash, never the email or address itself. */
function keyOf(scope: LoginLock["scope"], value: string): string {
  return `login-failures:${scope}:${createHash("sha256").update(value, "utf8").digest("base64url")}`;
}

/**
 * Creates the brute-force limiter. It fails open: while Redis is unavailable, logins are neither
 * counted nor refused, and each one logs a warning, because locking every user out during a Redis
 * outage is worse than the scrypt-bound rate an attacker gets meanwhile.
 *
 * @example
 * const limiter = createLoginLimiter({ redis, log });
 * const lock = await limiter.check("ada@example.com", "203.0.113.7");
 */
export function createLoginLimiter(options: LoginLimiterOptions): LoginLimiter {
  const { redis, maxPerAccount = 5, maxPerAddress = 50, windowSeconds = 900, log } = options;
  const skipped = (what: string, err?: unknown) =>
    log.warn(`login rate limit ${what} skipped: redis is unavailable, logins are let through`, {
      ...(err === undefined ? {} : { reason: connectErrorFromRedis(err).rawMessage }),
    });
  const keysOf = (account: string, address: string | undefined) =>
    address === undefined ? [keyOf("account", account)] : [keyOf("account", account), keyOf("address", address)];

  return {
    async check(account, address) {
      if (!redis?.available) return void skipped("check");
      const keys = keysOf(account, address);
      const limits = [maxPerAccount, maxPerAddress];
      const scopes = ["account", "address"] as const;
      try {
        const pipeline = redis.client.multi();
        for (const key of keys) pipeline.get(key).pttl(key);
        const replies = (await pipeline.exec()) ?? [];
        let lock: LoginLock | undefined;
        for (let i = 0; i < keys.length; i++) {
          const [[countErr, count], [ttlErr, ttl]] = [replies[2 * i]!, replies[2 * i + 1]!];
          if (countErr || ttlErr) throw countErr ?? ttlErr;
          if (Number(count ?? 0) < limits[i]! || Number(ttl) <= 0) continue;
          const retryAfterSeconds = Math.ceil(Number(ttl) / 1000);
          if (!lock || retryAfterSeconds > lock.retryAfterSeconds) lock = { scope: scopes[i]!, retryAfterSeconds };
        }
        return lock;
      } catch (err) {
        return void skipped("check", err);
      }
    },
    async recordFailure(account, address) {
      if (!redis?.available) return skipped("count");
      const keys = keysOf(account, address);
      await redis.client.eval(incrementScript, keys.length, ...keys, windowSeconds).catch((err: unknown) => skipped("count", err));
    },
    async reset(account) {
      if (!redis?.available) return;
      await redis.client.del(keyOf("account", account)).catch((err: unknown) => skipped("reset", err));
    },
  };
}
