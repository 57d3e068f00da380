/** The annotation choosing the Broker class; "Kafka" stores the broker's events in one topic. */
export const brokerClassAnnotation = "eventing.knative.dev/broker.class";
/** The Kafka Broker's per-Trigger ordering: "ordered" (one event at a time per partition) or "unordered". */
export const deliveryOrderAnnotation = "kafka.eventing.knative.dev/delivery.order";
//# sourceMappingURL=knative-eventing-objects.js.map