import { type ObjectReference, type TriggerFilter, type TriggerObject } from "./knative-eventing-objects.js";
/** What a Trigger needs of a function's subscription: the fields of `Subscription` (shared/src/events). */
export interface SubscriptionDeclaration {
    /** DNS-1035 label, unique within the function. */
    readonly name: string;
    /** The CloudEvents type subscribed to. */
    readonly type: string;
    /** Trigger `filters` besides the type (exact, prefix or suffix), ANDed. */
    readonly filters: readonly TriggerFilter[];
    /** One event at a time per partition, in order. */
    readonly ordered: boolean;
    readonly delivery: {
        readonly retry: number;
        readonly backoffPolicy: "exponential" | "linear";
        readonly backoffDelay: string;
        readonly deadLetter: boolean;
    };
}
/** Where the Trigger of a subscription points: computed once by `eventingManifests`. @internal */
export interface TriggerContext {
    readonly namespace: string;
    readonly broker: string;
    readonly deadLetterSink: ObjectReference;
    readonly labels: Readonly<Record<string, string>>;
}
/**
 * The Trigger delivering a subscription's events from the broker to its function's Knative
 * Service (`POST /`): named `<function>-<subscription>`, filtered by `exact: { type }` first and
 * then the subscription's own filters, with its delivery spec and ordering annotation. Throws a
 * `TypeError` when the combined name is not a DNS-1035 label of at most 63 characters.
 *
 * @example
 * triggerFromSubscription("audit", subscription, { namespace: "default", broker: "kinetic", deadLetterSink, labels })
 */
export declare function triggerFromSubscription(fn: string, subscription: SubscriptionDeclaration, context: TriggerContext): TriggerObject;
