import { createSubscriberResolver } from "./create-subscriber-resolver.js";
import { deliveryPolicyOf } from "./delivery-policy.js";
import type { TriggerDispatch } from "./dispatch-event.js";
import { deliveryOrderAnnotation, type DispatcherDelivery, type DispatcherTrigger } from "./dispatcher-trigger.js";
import { validateTriggerFilters } from "./trigger-filters-match.js";

export interface TriggerDispatchOptions extends Pick<TriggerDispatch, "reply" | "deadLetter" | "deadLetterSink" | "log"> {
  /** Base URL of a function by name; rejects while it is not running. Required. */
  resolve: (fn: string) => Promise<string>;
  /** The Broker's `spec.delivery`. Required (may be undefined). */
  brokerDelivery: DispatcherDelivery | undefined;
  /** Per-attempt timeout when the delivery spec sets none. Required. */
  timeoutMs: number;
  /** Pause between lookups of a subscriber that is not running. Required. */
  resolveRetryMs: number;
}

/**
 * Reads a Trigger into what `dispatchEvent` needs, the same for every broker transport: its
 * filters (validated), its delivery merged with the broker's, its subscriber lookup, and
 * whether it is `ordered` (the Kafka Broker's `delivery.order` annotation; default unordered).
 * Throws a `TypeError` naming the trigger for anything the dispatcher cannot honour.
 *
 * @internal
 */
export function createTriggerDispatch(trigger: DispatcherTrigger, options: TriggerDispatchOptions): TriggerDispatch & { readonly ordered: boolean } {
  const { resolve, brokerDelivery, timeoutMs, resolveRetryMs, log, ...transport } = options;
  const name = trigger.metadata.name;
  const filters = trigger.spec.filters ?? [];
  validateTriggerFilters(name, filters);
  const order = trigger.metadata.annotations?.[deliveryOrderAnnotation] ?? "unordered";
  if (order !== "ordered" && order !== "unordered") throw new TypeError(`trigger ${name}: ${deliveryOrderAnnotation} must be "ordered" or "unordered"`);
  const policy = deliveryPolicyOf(name, trigger.spec.delivery, brokerDelivery);
  return {
    trigger: name,
    filters,
    policy,
    timeoutMs: policy.timeoutMs ?? timeoutMs,
    subscriberUrl: createSubscriberResolver(trigger, resolve, resolveRetryMs, log),
    log,
    ordered: order === "ordered",
    ...transport,
  };
}
