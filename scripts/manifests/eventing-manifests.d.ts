import { type DeliverySpec, type EventingObject } from "./knative-eventing-objects.js";
import { type SubscriptionDeclaration } from "./trigger-from-subscription.js";
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
export declare const eventingNames: {
    readonly broker: "kinetic";
    readonly brokerConfig: "kinetic-kafka-broker-config";
    readonly deadLetterSink: "kinetic-dead-letters";
    readonly deadLetterTopic: "kinetic.dead-letters";
};
/** The topic a Kafka-class Broker stores its events in (the outbox relay's `KINETIC_EVENTS_TOPIC`). */
export declare function brokerTopicName(namespace: string, broker: string): string;
/**
 * The platform's eventing objects: the Kafka Broker `kinetic` with its config ConfigMap, the
 * KafkaSink `kinetic-dead-letters`, and one Trigger per subscription of every function, in a
 * stable order (platform objects, then Triggers by name). Throws a `TypeError` for a Trigger
 * name that is too long or used twice, or a subscription the broker's delivery would override.
 *
 * @example
 * const objects = eventingManifests(await loadDeclarations(), { bootstrapServers: ["kafka:9092"] });
 */
export declare function eventingManifests(declarations: readonly EventingDeclaration[], options: EventingManifestsOptions): EventingObject[];
