// The events benchmark's Knative Kafka Broker data plane: the emulator's dispatcher
// (local-dev/src/eventing) run as `npm run dev` runs it, from TypeScript sources, so start it
// with `node --conditions=kinetic-source --import tsx`. Its Triggers are the ones
// scripts/manifests generates from the subscriber's declaration, on the broker topic and
// dead-letter topic the harness created. Ready (POST /ready on PORT) once every Trigger's
// consumer joined its group.
// Environment: KAFKA_BROKERS, BENCH_TOPIC, BENCH_DEAD_LETTER_TOPIC, BENCH_PARTITIONS,
// BENCH_SUBSCRIBER_URL, PORT (the control port).
import { createLogger } from "@kinetic/runtime";
import { startEventDispatcher } from "../../local-dev/src/eventing/start-event-dispatcher.ts";
import { eventingManifests } from "../../scripts/manifests/eventing-manifests.ts";
import { onSignal, serveControl } from "./control-server.mjs";
import subscriber from "./event-subscriber.mjs";

const brokers = process.env.KAFKA_BROKERS;
const objects = eventingManifests([subscriber], { bootstrapServers: brokers.split(","), partitions: Number(process.env.BENCH_PARTITIONS) });
const dispatcher = await startEventDispatcher({
  brokers,
  topic: process.env.BENCH_TOPIC,
  deadLetterTopic: process.env.BENCH_DEAD_LETTER_TOPIC,
  triggers: objects.filter((o) => o.kind === "Trigger"),
  brokerDelivery: objects.find((o) => o.kind === "Broker").spec.delivery,
  resolve: async (fn) => {
    if (fn !== subscriber.name) throw new Error(`no function ${fn} in this benchmark`);
    return process.env.BENCH_SUBSCRIBER_URL;
  },
  // Warnings only, as the functions log: one info line per delivery would cost CPU on the core
  // the functions share.
  log: createLogger({ level: "warn", base: { component: "eventing" } }),
});

const server = await serveControl({});
onSignal(async () => {
  server.close();
  await dispatcher.close();
});
