#!/usr/bin/env node
// Runs every *.test.ts beside the code on Node's test runner, from TypeScript sources
// (the "kinetic-source" export condition), two files at a time for this 2-core machine.
// One Kafka broker serves the whole run: KAFKA_BROKERS when set, else a broker already on
// 127.0.0.1:9092, else one started here (local-dev/src/kafka) and stopped at the end.
// Usage: node scripts/test.mjs [path-substring ...]   (filters the files)
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const roots = ["shared/src", "functions", "local-dev/src", "scripts", "bench"];

function* walk(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "dist" || entry.startsWith(".")) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (entry.endsWith(".test.ts")) yield path;
  }
}

const filters = process.argv.slice(2);
const files = roots
  .filter((r) => existsSync(join(root, r)))
  .flatMap((r) => [...walk(join(root, r))])
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
/** Creates the platform's default topics, as the Knative Kafka Broker (or `npm run dev`) would. */
async function createTopics(brokers, topics) {
  const { Kafka, logLevel } = await import("kafkajs");
  const admin = new Kafka({ clientId: "kinetic-test-setup", brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Starts (or finds) the run's Kafka; resolves with its address and a stop function. */
function startKafka() {
  if (process.env.KAFKA_BROKERS) return Promise.resolve({ brokers: process.env.KAFKA_BROKERS, stop: async () => {} });
  const kafka = spawn(process.execPath, ["--import", "tsx", "local-dev/src/kafka/main.ts", "start"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => kafka.once("exit", resolve));
  const lines = [];
  return new Promise((resolve, reject) => {
    createInterface({ input: kafka.stdout }).on("line", (line) => {
      lines.push(line);
      const ready = /^kafka: (?:ready at|a broker is already running at) (\S+?);?(?: |$)/.exec(line);
      if (ready) {
        console.log(line);
        resolve({ brokers: ready[1], stop: async () => (kafka.kill("SIGTERM"), await exited) });
      }
    });
    void exited.then((code) => reject(new Error(`kafka did not start (exit ${code}):\n${lines.slice(-20).join("\n")}`)));
  });
}

const kafka = await startKafka();
await createTopics(kafka.brokers, ["knative-broker-default-kinetic", "kinetic.dead-letters"]);
const child = spawn(
  process.execPath,
  ["--conditions=kinetic-source", "--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit", env: { ...process.env, KINETIC_TEST: "1", KAFKA_BROKERS: kafka.brokers } },
);
const stopEverything = () => child.kill("SIGTERM");
process.on("SIGINT", stopEverything);
process.on("SIGTERM", stopEverything);
child.on("exit", async (code, signal) => {
  await kafka.stop();
  process.exit(code ?? (signal ? 1 : 0));
});
