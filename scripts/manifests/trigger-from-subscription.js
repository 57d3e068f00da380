import { deliveryOrderAnnotation } from "./knative-eventing-objects.js";
const labelRule = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/**
 * The Trigger delivering a subscription's events from the broker to its function's Knative
 * Service (`POST /`): named `<function>-<subscription>`, filtered by `exact: { type }` first and
 * then the subscription's own filters, with its delivery spec and ordering annotation. Throws a
 * `TypeError` when the combined name is not a DNS-1035 label of at most 63 characters.
 *
 * @example
 * triggerFromSubscription("audit", subscription, { namespace: "default", broker: "kinetic", deadLetterSink, labels })
 */
export function triggerFromSubscription(fn, subscription, context) {
    const name = `${fn}-${subscription.name}`;
    if (!labelRule.test(name)) {
        throw new TypeError(`trigger name "${name}" (function "${fn}", subscription "${subscription.name}") must be a DNS-1035 label of at most 63 characters: shorten the subscription's name`);
    }
    const { retry, backoffPolicy, backoffDelay, deadLetter } = subscription.delivery;
    return {
        apiVersion: "eventing.knative.dev/v1",
        kind: "Trigger",
        metadata: {
            name,
            namespace: context.namespace,
            labels: { ...context.labels, "kinetic.dev/function": fn },
            annotations: { [deliveryOrderAnnotation]: subscription.ordered ? "ordered" : "unordered" },
        },
        spec: {
            broker: context.broker,
            filters: [{ exact: { type: subscription.type } }, ...subscription.filters],
            subscriber: { ref: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: fn } },
            delivery: {
                retry,
                backoffPolicy,
                backoffDelay,
                ...(deadLetter ? { deadLetterSink: { ref: context.deadLetterSink } } : {}),
            },
        },
    };
}
//# sourceMappingURL=trigger-from-subscription.js.map