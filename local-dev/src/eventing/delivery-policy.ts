import type { DispatcherDelivery } from "./dispatcher-trigger.js";
import { millisFromIsoDuration } from "./millis-from-iso-duration.js";

/** How one trigger delivers: its delivery spec merged with the broker's, in numbers. */
export interface DeliveryPolicy {
  /** Redeliveries after a retryable failure; 0 = one attempt. */
  readonly retry: number;
  readonly backoffPolicy: "exponential" | "linear";
  readonly backoffDelayMs: number;
  /** Whether failed events go to the dead-letter topic (a `deadLetterSink` is set) or are dropped. */
  readonly deadLetter: boolean;
  /** Per-attempt timeout from `delivery.timeout`, when set. */
  readonly timeoutMs: number | undefined;
}

/**
 * The delivery of a trigger as the Kafka Broker computes it: without a trigger delivery spec
 * the broker's applies whole; with one, each field the trigger leaves unset or zero (retry,
 * backoffDelay, timeout, deadLetterSink) comes from the broker's, while backoffPolicy is the
 * trigger's (default exponential). Without either, no retries and no dead letters. Throws a
 * `TypeError` naming the trigger for a negative retry, unknown policy or bad duration.
 *
 * @example
 * deliveryPolicyOf("audit-users", trigger.spec.delivery, broker.spec.delivery)
 */
export function deliveryPolicyOf(trigger: string, own: DispatcherDelivery | undefined, broker: DispatcherDelivery | undefined): DeliveryPolicy {
  const merged: DispatcherDelivery =
    own === undefined || broker === undefined
      ? (own ?? broker ?? {})
      : {
          retry: own.retry || broker.retry,
          backoffPolicy: own.backoffPolicy,
          backoffDelay: own.backoffDelay || broker.backoffDelay,
          timeout: own.timeout || broker.timeout,
          deadLetterSink: own.deadLetterSink ?? broker.deadLetterSink,
        };
  const { retry = 0, backoffPolicy = "exponential", backoffDelay = "PT1S", timeout } = merged;
  if (!Number.isInteger(retry) || retry < 0) throw new TypeError(`trigger ${trigger}: delivery.retry must be a non-negative integer`);
  if (backoffPolicy !== "exponential" && backoffPolicy !== "linear") {
    throw new TypeError(`trigger ${trigger}: delivery.backoffPolicy must be "exponential" or "linear", got "${backoffPolicy}"`);
  }
  const ms = (field: string, duration: string) => {
    try {
      return millisFromIsoDuration(duration);
    } catch (err) {
      throw new TypeError(`trigger ${trigger}: delivery.${field}: ${(err as Error).message}`);
    }
  };
  return {
    retry,
    backoffPolicy,
    backoffDelayMs: ms("backoffDelay", backoffDelay),
    deadLetter: merged.deadLetterSink !== undefined,
    timeoutMs: timeout === undefined ? undefined : ms("timeout", timeout),
  };
}

/**
 * The pause before redelivery number `retry` (1 for the first redelivery): backoffDelay × 2^retry
 * when exponential, backoffDelay × retry when linear, as the Kafka Broker's dispatcher waits.
 *
 * @example
 * backoffDelayMs({ backoffPolicy: "exponential", backoffDelayMs: 200 }, 3) // 1600
 */
export function backoffDelayMs(policy: Pick<DeliveryPolicy, "backoffPolicy" | "backoffDelayMs">, retry: number): number {
  return policy.backoffPolicy === "linear" ? policy.backoffDelayMs * retry : policy.backoffDelayMs * 2 ** retry;
}
