/**
 * A Knative `eventing.knative.dev/v1` Trigger as the local dispatcher reads it: exactly the
 * fields it honours, so the objects `eventingManifests` generates (or `loadEventingManifests`
 * reads back from `knative/base/eventing/`) are accepted as they are.
 */
export interface DispatcherTrigger {
  readonly metadata: {
    readonly name: string;
    /** `kafka.eventing.knative.dev/delivery.order`: "ordered" or "unordered" (the Kafka Broker's default). */
    readonly annotations?: Readonly<Record<string, string>> | undefined;
  };
  readonly spec: {
    readonly broker: string;
    /** ANDed; none means every event. */
    readonly filters?: readonly FilterExpression[] | undefined;
    /** A Knative Service by name (resolved through the registry), or an absolute URI. */
    readonly subscriber: { readonly ref?: { readonly name: string } | undefined; readonly uri?: string | undefined };
    readonly delivery?: DispatcherDelivery | undefined;
  };
}

/** Knative's `DeliverySpec`; `deadLetterSink` only says whether there is one (locally: the dead-letter topic). */
export interface DispatcherDelivery {
  readonly retry?: number | undefined;
  readonly backoffPolicy?: string | undefined;
  /** ISO-8601 duration, such as "PT0.2S". */
  readonly backoffDelay?: string | undefined;
  /** ISO-8601 duration per attempt (Knative's `delivery-timeout` feature). */
  readonly timeout?: string | undefined;
  readonly deadLetterSink?: unknown;
}

/** One expression of the Subscriptions API filter dialects Knative Triggers accept (CESQL excepted). */
export interface FilterExpression {
  readonly exact?: Readonly<Record<string, string>> | undefined;
  readonly prefix?: Readonly<Record<string, string>> | undefined;
  readonly suffix?: Readonly<Record<string, string>> | undefined;
  readonly all?: readonly FilterExpression[] | undefined;
  readonly any?: readonly FilterExpression[] | undefined;
  readonly not?: FilterExpression | undefined;
  readonly cesql?: string | undefined;
}

/** The Kafka Broker's ordering annotation on a Trigger. */
export const deliveryOrderAnnotation = "kafka.eventing.knative.dev/delivery.order";
