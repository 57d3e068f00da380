import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTopics } from "../eventing/ensure-topics.js";
import { loadEventingManifests } from "../eventing/load-eventing-manifests.js";
import { startDevDatabase } from "../infra/start-dev-database.js";
import { startDevRedis } from "../infra/start-dev-redis.js";
import { startKafka } from "../kafka/start-kafka.js";

export interface InfrastructureOptions {
  /** Repository root; the broker's topics are read from its `knative/base/eventing`, embedded data goes under its `.kinetic/`. Default this repository. */
  root?: string;
  /** Where DATABASE_URL, REDIS_URL, KAFKA_BROKERS and KINETIC_EVENTS_TOPIC are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Progress while things start ("starting Kafka…"). Default none. */
  progress?: (line: string) => void;
  /**
   * Skips looking for running services (tests of the "nothing installed" path): an embedded
   * database, no Redis, events in memory. Default false.
   */
  embedded?: boolean;
  /** Where the embedded databases keep their files. Default `<root>/.kinetic/pglite`. */
  dataDir?: string;
}

/** Kafka as the Knative Kafka Broker uses it. */
export interface KafkaInfrastructure {
  /** Bootstrap servers. */
  readonly brokers: string;
  /** The broker's topic: functions' outboxes write to it, the dispatcher reads it. */
  readonly topic: string;
  /** The dead-letter KafkaSink's topic. */
  readonly deadLetterTopic: string;
}

/** The services the functions depend on, found or started. */
export interface Infrastructure {
  /**
   * Variables every function process gets over the developer's environment: REDIS_URL (`off`
   * without Redis), KAFKA_BROKERS and KINETIC_EVENTS_TOPIC when events go through Kafka.
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * The variables of one function's instances on top of `env`: its DATABASE_URL (and, on the
   * embedded database, DATABASE_PROVISION and DATABASE_POOL_MAX). The first call for a
   * function starts its embedded database.
   */
  envFor(fn: string): Promise<Record<string, string>>;
  /** Kafka when events go through it; undefined: the platform runs the in-memory broker. */
  readonly kafka: KafkaInfrastructure | undefined;
  /** One line per service for the ready banner, such as "postgres  127.0.0.1:5432". */
  readonly summary: readonly string[];
  /** Stops what this call started (after the functions stopped); services it found running are left alone. */
  close(): Promise<void>;
}

const defaultRoot = fileURLToPath(new URL("../../../", import.meta.url));

function hasJava(env: NodeJS.ProcessEnv): boolean {
  try {
    execFileSync("java", ["-version"], { stdio: "ignore", env });
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds or starts what the functions need, using real services when they are there so that a
 * fresh clone still runs with nothing but Node:
 * - Postgres: DATABASE_URL, else 127.0.0.1:5432 if it answers, else embedded PGlite, one per
 *   function (`startDevDatabase`);
 * - Redis: REDIS_URL, else 127.0.0.1:6379, else `redis-server` from the PATH, else none, saying
 *   what is off (`startDevRedis`);
 * - Kafka: KAFKA_BROKERS, else a broker on 127.0.0.1:9092, else one started from the project's
 *   jars when Java is there, with the broker's topics created; else `kafka` is undefined and
 *   the platform runs its in-memory broker (not durable).
 *
 * @example
 * const infrastructure = await startInfrastructure({ progress: console.log });
 * spawn(…, { env: { ...process.env, ...infrastructure.env, ...(await infrastructure.envFor("identity")) } });
 * await infrastructure.close();
 */
export async function startInfrastructure(options: InfrastructureOptions = {}): Promise<Infrastructure> {
  const { root = defaultRoot, env = process.env, progress = () => {}, embedded = false } = options;
  const closers: (() => Promise<void>)[] = [];
  // The infra modules prefix their lines for standalone use; the console adds its own.
  const log = (line: string) => progress(line.replace(/^kinetic dev: /, ""));
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    progress("looking for Postgres…");
    const database = await startDevDatabase({
      prefer: embedded ? "embedded" : "auto",
      env,
      dataDir: options.dataDir ?? join(root, ".kinetic/pglite"),
      log,
    });
    closers.push(() => database.close());
    const redis = embedded
      ? await startDevRedis({ prefer: "none", env: {}, log })
      : await startDevRedis({ env, log });
    closers.push(() => redis.close());
    const summary = [
      `${"postgres".padEnd(10)} ${database.kind === "pglite" ? `embedded PGlite, one per function, in ${database.location}` : database.location}`,
      `${"redis".padEnd(10)} ${redis.kind === "none" ? "none (REDIS_URL=off)" : redis.env.REDIS_URL}`,
    ];
    const base = { REDIS_URL: redis.env.REDIS_URL ?? "off" };
    const infrastructure = (extra: Record<string, string>, kafka: KafkaInfrastructure | undefined): Infrastructure => ({
      env: { ...base, ...extra },
      envFor: (fn) => database.envFor(fn),
      kafka,
      summary,
      close: closeAll,
    });

    if (embedded || (!env["KAFKA_BROKERS"] && !hasJava(env))) {
      progress(embedded ? "events in memory (embedded mode)" : "no Java and no KAFKA_BROKERS: events go through an in-memory broker, NOT durable");
      return infrastructure({}, undefined);
    }
    progress(env["KAFKA_BROKERS"] ? `using Kafka at ${env["KAFKA_BROKERS"]}…` : "looking for Kafka on 127.0.0.1:9092, else starting it…");
    const broker = await startKafka({ env });
    closers.push(() => broker.stop());
    const manifests = loadEventingManifests(join(root, "knative/base/eventing"));
    const topic = env["KINETIC_EVENTS_TOPIC"] || manifests.topic;
    await ensureTopics({
      brokers: broker.brokers,
      topics: [
        { topic, partitions: manifests.partitions },
        { topic: manifests.deadLetterTopic, partitions: 1 },
      ],
    });
    summary.push(`${"kafka".padEnd(10)} ${broker.brokers} (topic ${topic}${broker.reused ? "" : ", started here"})`);
    return infrastructure({ KAFKA_BROKERS: broker.brokers, KINETIC_EVENTS_TOPIC: topic }, { brokers: broker.brokers, topic, deadLetterTopic: manifests.deadLetterTopic });
  } catch (err) {
    await closeAll();
    throw err;
  }
}
