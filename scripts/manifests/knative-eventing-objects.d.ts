/**
 * The Kubernetes objects the eventing manifests consist of, typed as far as we write them:
 * plain JSON data, serialised to YAML as is. Field names and nesting are the Knative APIs'
 * (checked against the CRD schemas in `crds/` by the tests).
 */
export type EventingObject = ConfigMapObject | BrokerObject | KafkaSinkObject | TriggerObject;
export interface ObjectMeta {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
}
/** A Knative `KReference`: an object by API version, kind and name. */
export interface ObjectReference {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
}
/** Knative's `DeliverySpec` (duck type shared by Broker and Trigger). */
export interface DeliverySpec {
    readonly retry?: number;
    readonly backoffPolicy?: "exponential" | "linear";
    /** ISO-8601 duration, such as "PT0.2S". */
    readonly backoffDelay?: string;
    readonly deadLetterSink?: {
        readonly ref: ObjectReference;
    };
}
/** One expression of a Trigger's `filters` in the dialects we generate. */
export type TriggerFilter = {
    readonly exact: Readonly<Record<string, string>>;
} | {
    readonly prefix: Readonly<Record<string, string>>;
} | {
    readonly suffix: Readonly<Record<string, string>>;
};
export interface ConfigMapObject {
    readonly apiVersion: "v1";
    readonly kind: "ConfigMap";
    readonly metadata: ObjectMeta;
    readonly data: Readonly<Record<string, string>>;
}
export interface BrokerObject {
    readonly apiVersion: "eventing.knative.dev/v1";
    readonly kind: "Broker";
    readonly metadata: ObjectMeta;
    readonly spec: {
        readonly config: ObjectReference;
        readonly delivery?: DeliverySpec;
    };
}
export interface KafkaSinkObject {
    readonly apiVersion: "eventing.knative.dev/v1alpha1";
    readonly kind: "KafkaSink";
    readonly metadata: ObjectMeta;
    readonly spec: {
        readonly topic: string;
        readonly bootstrapServers: readonly string[];
        readonly contentMode: "binary" | "structured";
        readonly numPartitions: number;
        readonly replicationFactor: number;
    };
}
export interface TriggerObject {
    readonly apiVersion: "eventing.knative.dev/v1";
    readonly kind: "Trigger";
    readonly metadata: ObjectMeta;
    readonly spec: {
        readonly broker: string;
        readonly filters: readonly TriggerFilter[];
        readonly subscriber: {
            readonly ref: ObjectReference;
        };
        readonly delivery: DeliverySpec;
    };
}
/** The annotation choosing the Broker class; "Kafka" stores the broker's events in one topic. */
export declare const brokerClassAnnotation = "eventing.knative.dev/broker.class";
/** The Kafka Broker's per-Trigger ordering: "ordered" (one event at a time per partition) or "unordered". */
export declare const deliveryOrderAnnotation = "kafka.eventing.knative.dev/delivery.order";
