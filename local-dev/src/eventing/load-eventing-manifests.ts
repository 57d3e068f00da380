import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { DispatcherDelivery, DispatcherTrigger } from "./dispatcher-trigger.js";

/** What the local broker needs from the generated manifests. */
export interface EventingManifests {
  /** The Broker's namespace and name: its ingress path is `/<namespace>/<broker>`. */
  readonly namespace: string;
  readonly broker: string;
  /** The Kafka Broker's topic, `knative-broker-<namespace>-<name>` (the outbox relay's KINETIC_EVENTS_TOPIC). */
  readonly topic: string;
  /** Partitions of the broker's topic, from its config's `default.topic.partitions`. */
  readonly partitions: number;
  /** The dead-letter KafkaSink's topic. */
  readonly deadLetterTopic: string;
  /** The Broker's `spec.delivery`, which Triggers fall back to field by field. */
  readonly brokerDelivery: DispatcherDelivery | undefined;
  /** The Triggers on that broker, in file order. */
  readonly triggers: readonly DispatcherTrigger[];
}

interface ManifestObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/**
 * Reads the eventing objects `scripts/manifests/write-manifests.ts` wrote (`knative/base/
 * eventing/*.yaml`, drift-checked by the tests), so the local dispatcher runs exactly the
 * Triggers the cluster gets. Expects one Kafka-class Broker, its config ConfigMap and one
 * KafkaSink; throws a `TypeError` saying what is missing.
 *
 * @example
 * const { topic, deadLetterTopic, triggers, brokerDelivery } = loadEventingManifests(join(root, "knative/base/eventing"));
 */
export function loadEventingManifests(dir: string): EventingManifests {
  const objects = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as ManifestObject | null))
    .filter((o): o is ManifestObject => o !== null);
  const brokers = objects.filter((o) => o.kind === "Broker" && o.metadata?.annotations?.["eventing.knative.dev/broker.class"] === "Kafka");
  const sinks = objects.filter((o) => o.kind === "KafkaSink");
  if (brokers.length !== 1 || sinks.length !== 1) throw new TypeError(`${dir} must hold one Kafka-class Broker and one KafkaSink`);
  const broker = brokers[0]!;
  const name = broker.metadata?.name ?? "";
  const config = broker.spec?.["config"] as { name?: string } | undefined;
  const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === config?.name);
  const partitions = Number(configMap?.data?.["default.topic.partitions"]);
  if (!Number.isInteger(partitions) || partitions < 1) throw new TypeError(`${dir}: the broker's ConfigMap needs default.topic.partitions`);
  const namespace = broker.metadata?.namespace ?? "default";
  return {
    namespace,
    broker: name,
    topic: `knative-broker-${namespace}-${name}`,
    partitions,
    deadLetterTopic: String(sinks[0]!.spec?.["topic"]),
    brokerDelivery: broker.spec?.["delivery"] as DispatcherDelivery | undefined,
    triggers: objects.filter((o) => o.kind === "Trigger" && o.spec?.["broker"] === name) as unknown as DispatcherTrigger[],
  };
}
