import {
  brokerClassAnnotation,
  type BrokerObject,
  type ConfigMapObject,
  type DeliverySpec,
  type EventingObject,
  type KafkaSinkObject,
  type ObjectReference,
} from "./knative-eventing-objects.js";
import { triggerFromSubscription, type SubscriptionDeclaration } from "./trigger-from-subscription.js";

/** What the manifests need of a function declaration (`KineticFunction` satisfies it). */
export interface EventingDeclaration {
  readonly name: string;
  readonly subscriptions?: readonly SubscriptionDeclaration[];
}

export interface EventingManifestsOptions {
  /** Kafka bootstrap servers of the cluster (broker config and dead-letter sink). Required. */
  bootstrapServers: readonly string[];
  /** Namespace of every object; the broker's topic is `knative-broker-<namespace>-kinetic`. Default "default". */
  namespace?: string;
  /** Partitions of the broker's and the dead-letter topic: the unit of ordering and parallelism. Default 10. */
  partitions?: number;
  /** Replication factor of both topics. Default 3. */
  replicationFactor?: number;
  /**
   * The Broker's `spec.delivery`, which the Kafka Broker merges into every Trigger field by field
   * (a Trigger's `retry: 0` or missing dead-letter sink falls back to it). Default backoff only
   * (exponential, PT0.2S), so each subscription's retry and dead-letter choice holds exactly.
   */
  brokerDelivery?: DeliverySpec;
}

/** The names of the platform's eventing objects and topics. */
export const eventingNames = {
  broker: "kinetic",
  brokerConfig: "kinetic-kafka-broker-config",
  deadLetterSink: "kinetic-dead-letters",
  deadLetterTopic: "kinetic.dead-letters",
} as const;

/** The topic a Kafka-class Broker stores its events in (the outbox relay's `KINETIC_EVENTS_TOPIC`). */
export function brokerTopicName(namespace: string, broker: string): string {
  return `knative-broker-${namespace}-${broker}`;
}

/**
 * The platform's eventing objects: the Kafka Broker `kinetic` with its config ConfigMap, the
 * KafkaSink `kinetic-dead-letters`, and one Trigger per subscription of every function, in a
 * stable order (platform objects, then Triggers by name). Throws a `TypeError` for a Trigger
 * name that is too long or used twice, or a subscription the broker's delivery would override.
 *
 * @example
 * const objects = eventingManifests(await loadDeclarations(), { bootstrapServers: ["kafka:9092"] });
 */
export function eventingManifests(declarations: readonly EventingDeclaration[], options: EventingManifestsOptions): EventingObject[] {
  const { bootstrapServers, namespace = "default", partitions = 10, replicationFactor = 3 } = options;
  const brokerDelivery = options.brokerDelivery ?? { backoffPolicy: "exponential", backoffDelay: "PT0.2S" };
  const labels = { "app.kubernetes.io/part-of": "kinetic", "app.kubernetes.io/managed-by": "kinetic-manifests" };
  const meta = (name: string) => ({ name, namespace, labels });
  const deadLetterSink: ObjectReference = { apiVersion: "eventing.knative.dev/v1alpha1", kind: "KafkaSink", name: eventingNames.deadLetterSink };

  const config: ConfigMapObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(eventingNames.brokerConfig),
    data: {
      "default.topic.partitions": String(partitions),
      "default.topic.replication.factor": String(replicationFactor),
      "bootstrap.servers": bootstrapServers.join(","),
    },
  };
  const broker: BrokerObject = {
    apiVersion: "eventing.knative.dev/v1",
    kind: "Broker",
    metadata: { ...meta(eventingNames.broker), annotations: { [brokerClassAnnotation]: "Kafka" } },
    spec: { config: { apiVersion: "v1", kind: "ConfigMap", name: eventingNames.brokerConfig, namespace }, delivery: brokerDelivery },
  };
  const sink: KafkaSinkObject = {
    apiVersion: "eventing.knative.dev/v1alpha1",
    kind: "KafkaSink",
    metadata: meta(eventingNames.deadLetterSink),
    spec: { topic: eventingNames.deadLetterTopic, bootstrapServers, contentMode: "binary", numPartitions: partitions, replicationFactor },
  };

  const context = { namespace, broker: eventingNames.broker, deadLetterSink, labels };
  const triggers = declarations.flatMap((fn) =>
    (fn.subscriptions ?? []).map((subscription) => {
      checkAgainstBrokerDelivery(fn.name, subscription, brokerDelivery);
      return triggerFromSubscription(fn.name, subscription, context);
    }),
  );
  const names = triggers.map((t) => t.metadata.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) throw new TypeError(`two subscriptions make the trigger "${repeated}": rename one of them`);
  triggers.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return [config, broker, sink, ...triggers];
}

/** Internal: rejects what the Kafka Broker's field-by-field merge would silently change. */
function checkAgainstBrokerDelivery(fn: string, subscription: SubscriptionDeclaration, brokerDelivery: DeliverySpec): void {
  const where = `function "${fn}", subscription "${subscription.name}"`;
  if (subscription.delivery.retry === 0 && (brokerDelivery.retry ?? 0) > 0) {
    throw new TypeError(`${where}: retry 0 would become the broker's retry ${brokerDelivery.retry}; drop retry from the broker's delivery`);
  }
  if (!subscription.delivery.deadLetter && brokerDelivery.deadLetterSink !== undefined) {
    throw new TypeError(`${where}: deadLetter false would still dead-letter to the broker's sink; drop it from the broker's delivery`);
  }
}
