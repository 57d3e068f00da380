import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { probeRedis } from "./probe-redis.js";
import { startRedisServer } from "./start-redis-server.js";

/** The Redis every function of `npm run dev` uses, if any. */
export interface DevRedis {
  /** `redis`: REDIS_URL or the one on 127.0.0.1:6379; `redis-server`: started here; `none`: the functions run without. */
  readonly kind: "redis" | "redis-server" | "none";
  /** Variables for every function: REDIS_URL, unless there is no Redis. */
  readonly env: { REDIS_URL?: string };
  /** The line logged: which Redis, or which features are off without one. */
  readonly message: string;
  /** Stops the redis-server this call started; does nothing otherwise. */
  close(): Promise<void>;
}

export interface StartDevRedisOptions {
  /** `auto`: REDIS_URL, else 127.0.0.1:6379, else redis-server, else none; the others force one (tests). Default auto. */
  prefer?: "auto" | "redis-server" | "none";
  /** Where REDIS_URL and PATH are read. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Port of the local Redis to try. Default 6379. */
  probePort?: number;
  /** How long it may take to answer PING. Default 1000 ms. */
  probeTimeoutMs?: number;
  /** The redis-server's snapshot directory. Default: none, a started redis-server keeps nothing. */
  dataDir?: string;
  /** Receives the one line saying which Redis is used or what is off. Default stdout. */
  log?: (line: string) => void;
}

/** What runs without Redis, found in the code: auth's login-limiter, shared's create-inbox and create-cache. */
const withoutRedis =
  "auth's login rate limiting is off (logins are let through); caches (createCache) load from the source every time; " +
  "event deduplication is unaffected where a function has Postgres (its inbox is a table), and a function with neither handles every delivery";

/**
 * Finds Redis for `npm run dev`: REDIS_URL; else the server answering PING on 127.0.0.1:6379;
 * else a private `redis-server` from the PATH on a free port (nothing persisted unless
 * `dataDir`), stopped by close() and never outliving this process; else none. Redis is an
 * accelerator in Kinetic, never a dependency of readiness, so without it every function still
 * starts and serves, and the logged line names the features that are off.
 *
 * @example
 * const redis = await startDevRedis();
 * spawn(node, [serve, module], { env: { ...process.env, ...redis.env } });
 * // … after the functions have stopped
 * await redis.close();
 */
export async function startDevRedis(options: StartDevRedisOptions = {}): Promise<DevRedis> {
  const { prefer = "auto", env = process.env, probePort = 6379, probeTimeoutMs = 1000, dataDir, log = (line: string) => process.stdout.write(`${line}\n`) } = options;
  const done = (redis: DevRedis) => (log(redis.message), redis);
  const given = env["REDIS_URL"];
  if (prefer === "auto" && given) return done(reused("redis", given, `kinetic dev: redis: ${new URL(given).host} (REDIS_URL)`));

  const absent: string[] = [];
  if (prefer === "auto") {
    const probe = await probeRedis("127.0.0.1", probePort, probeTimeoutMs);
    if (probe.state === "redis") return done(reused("redis", `redis://127.0.0.1:${probePort}`, `kinetic dev: redis: 127.0.0.1:${probePort}`));
    absent.push(probe.state === "refused" ? `the Redis on 127.0.0.1:${probePort} said ${probe.reason}` : `nothing answers on 127.0.0.1:${probePort}`);
  }
  if (prefer !== "none") {
    const executable = findOnPath("redis-server", env["PATH"] ?? "");
    if (executable) {
      const server = await startRedisServer({ executable, dataDir });
      const kept = dataDir === undefined ? "nothing persisted" : `snapshots in ${dataDir}`;
      return done({
        kind: "redis-server",
        env: { REDIS_URL: server.url },
        message: `kinetic dev: redis: ${executable} started on 127.0.0.1:${server.port} (${kept})`,
        close: () => server.close(),
      });
    }
    absent.push("no redis-server on the PATH");
  }
  const why = prefer === "none" ? "forced" : `REDIS_URL is unset, ${absent.join(", ")}`;
  return done({
    kind: "none",
    env: {},
    message: `kinetic dev: no Redis (${why}): ${withoutRedis}. Install redis-server or set REDIS_URL to have them.`,
    close: async () => undefined,
  });
}

function reused(kind: "redis", url: string, message: string): DevRedis {
  return { kind, env: { REDIS_URL: url }, message, close: async () => undefined };
}

function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
