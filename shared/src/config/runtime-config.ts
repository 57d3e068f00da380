import { enumVar, integerVar, optionalStringVar, readEnv, stringVar, urlVar, type EnvValues, type EnvVar } from "./env-var.js";

/**
 * The environment every function reads, with defaults that suit a laptop. Knative sets
 * `PORT` and the `K_*` variables; everything else comes from the function's ConfigMap/Secret.
 */
export const runtimeEnv = {
  /** Port for every protocol (Knative's container port, named `h2c`). Default 8080. */
  PORT: integerVar(8080, 0, 65535),
  /** Minimum level logged: debug, info, warn or error. Default info. */
  LOG_LEVEL: enumVar("info", ["debug", "info", "warn", "error"]),
  /** The function's Postgres connection. Default postgres://postgres@127.0.0.1:5432/kinetic. */
  DATABASE_URL: urlVar("postgres://postgres@127.0.0.1:5432/kinetic", ["postgres:", "postgresql:"]),
  /**
   * `auto`: DATABASE_URL is an administrator; the runtime creates the function's schema and
   * role, then connects as that role (dev, tests). `off`: DATABASE_URL already is the
   * function's role, provisioned beforehand (production). Default auto.
   */
  DATABASE_PROVISION: enumVar("auto", ["auto", "off"]),
  /** Password of the function's role when DATABASE_PROVISION=auto. Default: none (trust auth). */
  DATABASE_ROLE_PASSWORD: optionalStringVar(),
  /** Postgres pool size per instance. Default 10. */
  DATABASE_POOL_MAX: integerVar(10, 1, 1000),
  /**
   * Redis for caches, idempotency and rate limits, or `off` to run without it (`ctx.redis` is
   * then undefined; `npm run dev` sets it when no Redis is there). Default redis://127.0.0.1:6379.
   */
  REDIS_URL: redisUrlVar(),
  /** The local registry to register with and resolve from (set by `npm run dev`). Default: none. */
  KINETIC_REGISTRY_URL: optionalStringVar(),
  /** The URL other functions reach this instance at. Default http://127.0.0.1:<port>. */
  KINETIC_ADVERTISE_URL: optionalStringVar(),
  /** Deadline of outgoing calls when the inbound call has none. Default 10000. */
  KINETIC_CLIENT_TIMEOUT_MS: integerVar(10_000, 1, 3_600_000),
  /** Kafka bootstrap servers, comma-separated; when unset and K_SINK is set, events go to K_SINK over HTTP instead. Default 127.0.0.1:9092. */
  KAFKA_BROKERS: stringVar("127.0.0.1:9092"),
  /**
   * Where to POST events when there is no Kafka client (KAFKA_BROKERS unset): a CloudEvents
   * sink, as a Knative SinkBinding injects it — the Broker ingress,
   * `http://kafka-broker-ingress.knative-eventing.svc.cluster.local/<namespace>/<broker>`, or
   * the in-memory broker of `npm run dev` without Kafka. Events go in binary content mode, one
   * POST each. Default: none (events go to Kafka).
   */
  K_SINK: { ...urlVar(undefined, ["http:", "https:"]), optional: true } as EnvVar<string | undefined>,
  /** The topic events are published to: the Knative Kafka Broker's. Default knative-broker-default-kinetic. */
  KINETIC_EVENTS_TOPIC: stringVar("knative-broker-default-kinetic"),
  /** Largest request or response message, in bytes. Default 4 MiB. */
  KINETIC_MAX_MESSAGE_BYTES: integerVar(4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /**
   * `on`: Connect unary POSTs (JSON or binary, no request compression) are served by the
   * runtime's own unary path, with the same interceptors and answers as connect-node; `off`:
   * connect-node serves every RPC. Default on.
   */
  KINETIC_FAST_PATH: enumVar("on", ["on", "off"]),
  /** Longest deadline a client may ask for; also the deadline of calls that ask none. Default 300000 (Knative's default request timeout). */
  KINETIC_MAX_TIMEOUT_MS: integerVar(300_000, 1, 3_600_000),
  /**
   * How long in-flight requests and streams may run after SIGTERM. Default 25000. On Knative the
   * grace period is the revision's `timeoutSeconds`, counted from before the queue-proxy's quiet
   * period; the generated manifests size it to cover this bound (knative/README.md).
   */
  KINETIC_DRAIN_TIMEOUT_MS: integerVar(25_000, 0, 3_600_000),
  /** A connection with no request in flight is closed after this long. Default 65000 (above common proxies' 60 s). */
  KINETIC_IDLE_TIMEOUT_MS: integerVar(65_000, 100, 3_600_000),
  /** Time allowed for a new connection to send its first bytes and an HTTP/1.1 request its headers. Default 10000. */
  KINETIC_HEADERS_TIMEOUT_MS: integerVar(10_000, 100, 600_000),
  /** An HTTP/1.1 request must arrive whole (headers and body) within this. Default 60000. */
  KINETIC_REQUEST_TIMEOUT_MS: integerVar(60_000, 100, 3_600_000),
  /** Knative Serving's service, revision and configuration names; recorded in logs when set. */
  K_SERVICE: optionalStringVar(),
  K_REVISION: optionalStringVar(),
  K_CONFIGURATION: optionalStringVar(),
};

export type RuntimeConfig = EnvValues<typeof runtimeEnv>;

/** A redis:// or rediss:// URL, or `off`. */
function redisUrlVar(): EnvVar<string> {
  const url = urlVar("redis://127.0.0.1:6379", ["redis:", "rediss:"]);
  return { ...url, expected: `${url.expected}, or off`, parse: (raw) => (raw.trim() === "off" ? "off" : url.parse(raw)) };
}

/** Reads the runtime's variables; throws `EnvError` naming each one that is malformed. */
export function readRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  return readEnv(runtimeEnv, env);
}
