/**
 * The Kafka broker of local development, from the command line:
 *   node --import tsx local-dev/src/kafka/main.ts fetch   caches the broker jars (CI runs it first)
 *   node --import tsx local-dev/src/kafka/main.ts start   runs a broker in the foreground until Ctrl-C
 * Options of `start`: --port N (default 9092), --data-dir DIR (default: a temporary directory,
 * removed on exit; a given directory is kept and reused). `--kafka-version V` tries another version.
 */
import { parseArgs } from "node:util";
import { fetchKafka } from "./fetch-kafka.js";
import { startKafka } from "./start-kafka.js";

const print = (line: string) => process.stdout.write(`${line}\n`);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { port: { type: "string" }, "data-dir": { type: "string" }, "kafka-version": { type: "string" } },
});
const fetch = { log: print, ...(values["kafka-version"] === undefined ? {} : { version: values["kafka-version"] }) };
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

switch (positionals[0]) {
  case "fetch": {
    const { version, classpath } = await fetchKafka(fetch);
    print(`kafka: ${version} ready in ${seconds()} (class path ${classpath})`);
    break;
  }
  case "start": {
    const broker = await startKafka({
      fetch,
      log: (line) => print(`kafka │ ${line}`),
      ...(values.port === undefined ? {} : { port: Number(values.port) }),
      ...(values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] }),
    });
    if (broker.reused) {
      print(`kafka: a broker is already running at ${broker.brokers}; nothing to start`);
      break;
    }
    print(`kafka: ready at ${broker.brokers} in ${seconds()} (pid ${broker.pid}, data in ${broker.dataDir}); Ctrl-C stops it`);
    let stopping = false;
    const stop = () => {
      stopping = true;
      void broker.stop();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const code = await broker.exited;
    print(stopping ? "kafka: stopped" : `kafka: the broker exited by itself with code ${code}`);
    process.exit(stopping ? 0 : 1);
    break;
  }
  default:
    print("usage: main.ts fetch | start [--port 9092] [--data-dir DIR] [--kafka-version V]");
    process.exit(2);
}
