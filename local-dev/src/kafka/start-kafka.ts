import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { classDataArchive } from "./class-data-archive.js";
import { fetchKafka, type FetchKafkaOptions } from "./fetch-kafka.js";
import { runJavaProcess, startJavaProcess } from "./java-process.js";
import { kafkaServerProperties } from "./kafka-server-properties.js";
import { probeKafka } from "./probe-kafka.js";

/** A Kafka bootstrap address and how to let go of it. */
export interface KafkaBroker {
  /** Bootstrap servers for clients, e.g. "127.0.0.1:9092". */
  readonly brokers: string;
  /** True when an existing broker is used (KAFKA_BROKERS, or one answering on the port). */
  readonly reused: boolean;
  /** The broker's Java process id; undefined when reused. */
  readonly pid: number | undefined;
  /** The node's data directory; undefined when reused. */
  readonly dataDir: string | undefined;
  /** Resolves with the exit code when the broker ends by itself or by stop(); never when reused. */
  readonly exited: Promise<number>;
  /** Stops the broker this call started and removes its temporary data; does nothing when reused. */
  stop(): Promise<void>;
}

export interface StartKafkaOptions {
  /** Port of the client (PLAINTEXT) listener. Default 9092. */
  port?: number;
  /** Port of the KRaft controller listener. Default `port + 1`. */
  controllerPort?: number;
  /** The only address the node listens on and advertises. Default "127.0.0.1". */
  host?: string;
  /** Data directory, formatted unless it already holds a node. Default: a fresh temporary directory, removed by stop(). */
  dataDir?: string;
  /** Receives each line the broker prints (warnings, errors, started and stopped). Default: nothing is printed. */
  log?: (line: string) => void;
  /** Where KAFKA_BROKERS is read. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Maximum JVM heap. Default "512m". */
  heap?: string;
  /** Give up when the started broker has not answered by then (fetching not included). Default 60000 ms. */
  readyTimeoutMs?: number;
  /** After SIGTERM, SIGKILL follows when the broker has not exited by then. Default 20000 ms. */
  stopTimeoutMs?: number;
  /** How to fetch the broker jars. Default: the pinned version into the project cache. */
  fetch?: FetchKafkaOptions;
}

/**
 * Gives local development and tests a Kafka broker: KAFKA_BROKERS when it is set, else the
 * broker already answering on `host:port`, else a single KRaft node (broker and controller in one
 * JVM) started from the cached jars, with its data in a temporary directory. Resolves once the
 * broker answers requests.
 *
 * @example
 * const kafka = await startKafka();
 * const client = new Kafka({ brokers: [kafka.brokers] });
 * await kafka.stop();
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const { port = 9092, host = "127.0.0.1", env = process.env, log = () => {}, heap = "512m", readyTimeoutMs = 60_000, stopTimeoutMs = 20_000 } = options;
  const { controllerPort = port + 1 } = options;
  const address = `${host}:${port}`;
  const configured = env["KAFKA_BROKERS"]?.trim();
  if (configured) return reusedBroker(configured);
  const probe = await waitWhileSilent(host, port, Date.now() + readyTimeoutMs);
  if (probe === "kafka") return reusedBroker(address);
  if (probe !== "closed") throw new Error(`${address} is taken by something that does not answer as Kafka; stop it, or set KAFKA_BROKERS`);

  const { classpath, home } = await fetchKafka(options.fetch);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "kinetic-kafka-")));
  const ownsDataDir = options.dataDir === undefined;
  const properties = join(dataDir, "server.properties");
  await mkdir(dataDir, { recursive: true });
  await writeFile(properties, kafkaServerProperties({ host, port, controllerPort, dataDir }));

  const archive = classDataArchive(home);
  const jvmArgs = (dump: boolean) => [
    `-Xmx${heap}`,
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError",
    ...archive.jvmArgs(dump),
    "-Djava.awt.headless=true",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
    "-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info",
    "-cp",
    classpath,
  ];
  const removeDataDir = () => (ownsDataDir ? rm(dataDir, { recursive: true, force: true }) : Promise.resolve());
  if (!existsSync(join(dataDir, "logs", "meta.properties"))) {
    await runJavaProcess("kafka.tools.StorageTool", ["format", "-t", newClusterId(), "-c", properties], { jvmArgs: jvmArgs(false) }).catch(async (err: unknown) => {
      await removeDataDir();
      throw err;
    });
  }

  const node = startJavaProcess("kafka.Kafka", [properties], {
    jvmArgs: jvmArgs(true),
    log: (line) => {
      archive.watch(line);
      log(line);
    },
  });
  const killOnExit = () => {
    node.child.kill("SIGKILL");
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  process.once("exit", killOnExit);
  const exited = node.exited.then(async (code) => {
    process.off("exit", killOnExit);
    await removeDataDir();
    await archive.afterExit();
    return code;
  });
  const stop = async () => {
    if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill("SIGTERM");
    const timer = setTimeout(() => node.child.kill("SIGKILL"), stopTimeoutMs);
    await exited.finally(() => clearTimeout(timer));
  };

  let stopped: number | undefined;
  void exited.then((code) => (stopped = code));
  const deadline = Date.now() + readyTimeoutMs;
  while ((await probeKafka(host, port)) !== "kafka") {
    if (stopped !== undefined || Date.now() > deadline) {
      await stop();
      const why = stopped !== undefined ? `exited with code ${stopped}` : `did not answer within ${readyTimeoutMs} ms`;
      throw new Error(`Kafka on ${address} ${why}:\n${node.lastLines().join("\n")}`);
    }
    await sleep(100);
  }
  return { brokers: address, reused: false, pid: node.child.pid, dataDir, exited, stop };
}

/** A broker this process did not start, so it leaves it running. Internal. */
function reusedBroker(brokers: string): KafkaBroker {
  return { brokers, reused: true, pid: undefined, dataDir: undefined, exited: new Promise<number>(() => {}), stop: async () => {} };
}

/** Probes until the port answers or refuses: a broker that is still starting accepts but stays silent. Internal. */
async function waitWhileSilent(host: string, port: number, deadline: number) {
  for (;;) {
    const probe = await probeKafka(host, port);
    if (probe !== "silent" || Date.now() > deadline) return probe;
  }
}

/** A cluster id as Kafka writes them (16 random bytes, base64url), never starting with "-", which would read as a flag. Internal. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}
