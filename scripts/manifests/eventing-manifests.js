import { brokerClassAnnotation, } from "./knative-eventing-objects.js";
import { triggerFromSubscription } from "./trigger-from-subscription.js";
/** The names of the platform's eventing objects and topics. */
export const eventingNames = {
    broker: "kinetic",
    brokerConfig: "kinetic-kafka-broker-config",
    deadLetterSink: "kinetic-dead-letters",
    deadLetterTopic: "kinetic.dead-letters",
};
/** The topic a Kafka-class Broker stores its events in (the outbox relay's `KINETIC_EVENTS_TOPIC`). */
export function brokerTopicName(namespace, broker) {
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
export function eventingManifests(declarations, options) {
    const { bootstrapServers, namespace = "default", partitions = 10, replicationFactor = 3 } = options;
    const brokerDelivery = options.brokerDelivery ?? { backoffPolicy: "exponential", backoffDelay: "PT0.2S" };
    const labels = { "app.kubernetes.io/part-of": "kinetic", "app.kubernetes.io/managed-by": "kinetic-manifests" };
    const meta = (name) => ({ name, namespace, labels });
    const deadLetterSink = { apiVersion: "eventing.knative.dev/v1alpha1", kind: "KafkaSink", name: eventingNames.deadLetterSink };
    const config = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: meta(eventingNames.brokerConfig),
        data: {
            "default.topic.partitions": String(partitions),
            "default.topic.replication.factor": String(replicationFactor),
            "bootstrap.servers": bootstrapServers.join(","),
        },
    };
    const broker = {
        apiVersion: "eventing.knative.dev/v1",
        kind: "Broker",
        metadata: { ...meta(eventingNames.broker), annotations: { [brokerClassAnnotation]: "Kafka" } },
        spec: { config: { apiVersion: "v1", kind: "ConfigMap", name: eventingNames.brokerConfig, namespace }, delivery: brokerDelivery },
    };
    const sink = {
        apiVersion: "eventing.knative.dev/v1alpha1",
        kind: "KafkaSink",
        metadata: meta(eventingNames.deadLetterSink),
        spec: { topic: eventingNames.deadLetterTopic, bootstrapServers, contentMode: "binary", numPartitions: partitions, replicationFactor },
    };
    const context = { namespace, broker: eventingNames.broker, deadLetterSink, labels };
    const triggers = declarations.flatMap((fn) => (fn.subscriptions ?? []).map((subscription) => {
        checkAgainstBrokerDelivery(fn.name, subscription, brokerDelivery);
        return triggerFromSubscription(fn.name, subscription, context);
    }));
    const names = triggers.map((t) => t.metadata.name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated !== undefined)
        throw new TypeError(`two subscriptions make the trigger "${repeated}": rename one of them`);
    triggers.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    return [config, broker, sink, ...triggers];
}
/** Internal: rejects what the Kafka Broker's field-by-field merge would silently change. */
function checkAgainstBrokerDelivery(fn, subscription, brokerDelivery) {
    const where = `function "${fn}", subscription "${subscription.name}"`;
    if (subscription.delivery.retry === 0 && (brokerDelivery.retry ?? 0) > 0) {
        throw new TypeError(`${where}: retry 0 would become the broker's retry ${brokerDelivery.retry}; drop retry from the broker's delivery`);
    }
    if (!subscription.delivery.deadLetter && brokerDelivery.deadLetterSink !== undefined) {
        throw new TypeError(`${where}: deadLetter false would still dead-letter to the broker's sink; drop it from the broker's delivery`);
    }
}
//# sourceMappingURL=eventing-manifests.js.map