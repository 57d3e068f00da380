/**
 * `npm run dev`: every function on this machine, each in its own process on its own port, from
 * TypeScript sources. Ctrl-C drains them all and leaves no process behind. (The Knative
 * emulator with an activator, scale to zero and eventing grows here.)
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, registryFromEnv } from "@kinetic/runtime";
import { ensureTopics } from "./eventing/ensure-topics.js";
import { loadEventingManifests } from "./eventing/load-eventing-manifests.js";
import { startEventDispatcher, type EventDispatcher } from "./eventing/start-event-dispatcher.js";
import { startKafka, type KafkaBroker } from "./kafka/start-kafka.js";
import postgres from "postgres";
import { discoverFunctions } from "./discover-functions.js";
import { startFunctionProcess, type FunctionProcess } from "./function-process.js";
import { startLocalRegistry } from "./registry/local-registry.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const basePort = Number(process.env["KINETIC_DEV_PORT"] ?? 8081);
const databaseUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/kinetic";
const print = (line: string) => process.stdout.write(`${line}\n`);

async function checkPostgres(): Promise<void> {
  const sql = postgres(databaseUrl.replace(/\/[^/]*$/, "/postgres"), { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (err) {
    print(`kinetic dev: Postgres is not reachable at ${new URL(databaseUrl).host} (${(err as Error).message}).`);
    print("Start it, or set DATABASE_URL to a server where this user may create databases and roles.");
    process.exit(1);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Kafka: KAFKA_BROKERS, else a broker on 127.0.0.1:9092, else one started from the project's jars (needs Java). */
async function startEventing(): Promise<{ kafka: KafkaBroker; topic: string } | undefined> {
  const hasJava = (() => {
    try {
      execFileSync("java", ["-version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  if (!process.env["KAFKA_BROKERS"] && !hasJava) {
    print("kinetic dev: no Java and no KAFKA_BROKERS: events stay in each function's outbox until Kafka is there");
    return undefined;
  }
  print("kinetic dev: starting Kafka…");
  const kafka = await startKafka({ log: () => {} });
  const manifests = loadEventingManifests(join(root, "knative/base/eventing"));
  await ensureTopics({
    brokers: kafka.brokers,
    topics: [
      { topic: manifests.topic, partitions: manifests.partitions },
      { topic: manifests.deadLetterTopic, partitions: 1 },
    ],
  });
  process.env["KAFKA_BROKERS"] = kafka.brokers;
  process.env["KINETIC_EVENTS_TOPIC"] = manifests.topic;
  return { kafka, topic: manifests.topic };
}

await checkPostgres();
const registry = await startLocalRegistry({ port: Number(process.env["KINETIC_REGISTRY_PORT"] ?? 0) });
process.env["KINETIC_REGISTRY_URL"] = registry.url;
const eventing = await startEventing();
const functions = discoverFunctions(root, basePort);
const processes: FunctionProcess[] = functions.map((fn) => startFunctionProcess(root, fn, print));

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    print("kinetic dev: stopping every function…");
    await dispatcher?.close();
    for (const p of processes) p.child.kill("SIGTERM");
    await Promise.all(processes.map((p) => p.exited));
    await eventing?.kafka.stop();
    await registry.close();
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
for (const p of processes) {
  void p.exited.then((code) => {
    if (!stopping) print(`kinetic dev: ${p.fn.name} exited with code ${code}; the others keep running`);
  });
}

let dispatcher: EventDispatcher | undefined;
let ports: number[] = [];
try {
  ports = await Promise.all(processes.map((p) => p.serving));
} catch (err) {
  print(`kinetic dev: ${(err as Error).message}`);
  await stop(1);
}
if (eventing) {
  const manifests = loadEventingManifests(join(root, "knative/base/eventing"));
  const resolver = registryFromEnv(process.env);
  dispatcher = await startEventDispatcher({
    brokers: eventing.kafka.brokers,
    topic: manifests.topic,
    deadLetterTopic: manifests.deadLetterTopic,
    triggers: manifests.triggers,
    brokerDelivery: manifests.brokerDelivery,
    resolve: (fn) => resolver.resolve(fn),
    log: createLogger({ base: { component: "eventing" } }),
  });
}
print("");
print("kinetic dev: ready");
print(`  ${"registry".padEnd(12)} ${registry.url}  (kinetic.registry.v1.RegistryService: healthy instances of every function)`);
if (eventing) print(`  ${"kafka".padEnd(12)} ${eventing.kafka.brokers}  (topic ${eventing.topic}; Triggers from knative/base/eventing)`);
functions.forEach(({ name }, i) => print(`  ${name.padEnd(12)} http://127.0.0.1:${ports[i]}  (gRPC h2c, gRPC-Web, Connect; GET /healthz)`));
print("");
