import { setTimeout as sleep } from "node:timers/promises";
import type { Message } from "kafkajs";
import type { Logger } from "@kinetic/runtime";
import type { BrokerEvent } from "./broker-event.js";
import { brokerEventFromHttp } from "./broker-event-from-http.js";
import { brokerEventFromKafka, type KafkaRecordParts } from "./broker-event-from-kafka.js";
import { deadLetterEvent, type DeliveryFailure } from "./dead-letter-event.js";
import { deliverOverHttp } from "./deliver-over-http.js";
import { backoffDelayMs, type DeliveryPolicy } from "./delivery-policy.js";
import type { FilterExpression } from "./dispatcher-trigger.js";
import { isRetryableStatus } from "./is-retryable-status.js";
import { kafkaMessageFromBrokerEvent } from "./kafka-message-from-broker-event.js";
import { triggerFiltersMatch } from "./trigger-filters-match.js";

/** One trigger's dispatching, built once by `startEventDispatcher`. @internal */
export interface TriggerDispatch {
  readonly trigger: string;
  readonly filters: readonly FilterExpression[];
  readonly policy: DeliveryPolicy;
  readonly timeoutMs: number;
  /** The subscriber's URL; waits while it cannot be found, rejects only when `signal` aborts. */
  readonly subscriberUrl: (signal: AbortSignal) => Promise<string>;
  /** Writes a record to the broker's topic (replies) or the dead-letter topic. */
  readonly produce: (to: "broker" | "dead-letter", message: Message) => Promise<void>;
  readonly log: Logger;
}

/** What became of a record; every outcome lets the offset be committed. */
export type DispatchOutcome = "skipped" | "filtered" | "delivered" | "dead-lettered" | "dropped";

/**
 * Dispatches one record of the broker's topic for one trigger, as the Kafka Broker does: a
 * record that is no CloudEvent is skipped; one the filters reject is done; otherwise it is
 * POSTed to the subscriber, retried with back-off on a retryable status, a network error or a
 * timeout, up to `retry` times; a 2xx is success, its reply event (any 2xx but 202) produced
 * to the broker's topic; a non-retryable status, exhausted retries or an undecodable reply send
 * the event with Knative's error extensions to the dead-letter topic (or drop it without a
 * dead-letter sink). Rejects only when `signal` aborts, leaving the offset uncommitted.
 *
 * @internal
 */
export async function dispatchRecord(record: KafkaRecordParts & { readonly offset: string }, dispatch: TriggerDispatch, signal: AbortSignal): Promise<DispatchOutcome> {
  const { trigger, policy, log } = dispatch;
  let event: BrokerEvent;
  try {
    event = brokerEventFromKafka(record);
  } catch (err) {
    log.warn("record skipped: not a CloudEvent", { trigger, offset: record.offset, reason: (err as Error).message });
    return "skipped";
  }
  if (!triggerFiltersMatch(dispatch.filters, event.attributes)) return "filtered";
  const { type, id, source, subject } = event.attributes;
  const fields = { trigger, event_type: type, event_source: source, event_id: id, event_subject: subject };
  let failure: DeliveryFailure;
  let attempts = 0;
  for (;;) {
    if (attempts > 0) await sleep(backoffDelayMs(policy, attempts), undefined, { signal });
    attempts++;
    const url = await dispatch.subscriberUrl(signal);
    const attempt = await deliverOverHttp(url, event, { timeoutMs: dispatch.timeoutMs, signal });
    if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300) {
      try {
        const reply = attempt.status === 202 ? undefined : brokerEventFromHttp(attempt.headers, attempt.body);
        if (reply !== undefined) await dispatch.produce("broker", kafkaMessageFromBrokerEvent(reply, null));
        log.info("event delivered", { ...fields, status: attempt.status, attempts, reply_type: reply?.attributes["type"] });
        return "delivered";
      } catch (err) {
        log.warn("reply not routed", { ...fields, status: attempt.status, error: (err as Error).message });
        failure = { destination: url };
        break;
      }
    }
    failure = { destination: url, response: attempt.status === undefined ? undefined : attempt };
    const retryable = attempt.status === undefined || isRetryableStatus(attempt.status);
    const reason = attempt.status === undefined ? attempt.error.message : `status ${attempt.status}`;
    if (!retryable || attempts > policy.retry) {
      log.warn("event delivery failed", { ...fields, attempts, reason, retryable });
      break;
    }
    log.debug("event delivery failed; retrying", { ...fields, attempts, reason });
  }
  if (!policy.deadLetter) {
    log.warn("event dropped: the trigger has no dead-letter sink", fields);
    return "dropped";
  }
  try {
    await dispatch.produce("dead-letter", kafkaMessageFromBrokerEvent(deadLetterEvent(event, failure), event.attributes["partitionkey"] ?? null));
    log.warn("event dead-lettered", { ...fields, code: failure.response?.status });
    return "dead-lettered";
  } catch (err) {
    // Like Knative, a dead-letter sink that fails too does not hold the partition: the event is lost.
    log.error("cannot write the dead letter; the event is lost", { ...fields, error: (err as Error).message });
    return "dropped";
  }
}
