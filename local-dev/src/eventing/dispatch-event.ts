import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@kinetic/runtime";
import type { BrokerEvent } from "./broker-event.js";
import { brokerEventFromHttp } from "./broker-event-from-http.js";
import { deadLetterEvent, type DeliveryFailure } from "./dead-letter-event.js";
import { deliverOverHttp } from "./deliver-over-http.js";
import { backoffDelayMs, type DeliveryPolicy } from "./delivery-policy.js";
import type { FilterExpression } from "./dispatcher-trigger.js";
import { isRetryableStatus } from "./is-retryable-status.js";
import { triggerFiltersMatch } from "./trigger-filters-match.js";

/** One trigger's dispatching, built once per broker by `createTriggerDispatch`; the transport is in `reply` and `deadLetter`. @internal */
export interface TriggerDispatch {
  readonly trigger: string;
  readonly filters: readonly FilterExpression[];
  readonly policy: DeliveryPolicy;
  readonly timeoutMs: number;
  /** The subscriber's URL; waits while it cannot be found, rejects only when `signal` aborts. */
  readonly subscriberUrl: (signal: AbortSignal) => Promise<string>;
  /** Puts a subscriber's reply event into the broker (Kafka: its topic, unkeyed). Rejects when it cannot. */
  readonly reply: (event: BrokerEvent) => Promise<void>;
  /** Writes a dead letter (the event with Knative's error extensions) to the dead-letter sink. Rejects when it cannot. */
  readonly deadLetter: (event: BrokerEvent) => Promise<void>;
  /** Where `deadLetter` writes, for the log line. */
  readonly deadLetterSink: string;
  readonly log: Logger;
}

/** What became of an event for one trigger; every outcome lets the broker move on. */
export type DispatchOutcome = "skipped" | "filtered" | "delivered" | "dead-lettered" | "dropped";

/**
 * Dispatches one event for one trigger, as the Kafka Broker's dispatcher does, whatever the
 * event came on: one the filters reject is done; otherwise it is POSTed to the subscriber,
 * retried with back-off on a retryable status, a network error or a timeout, up to `retry`
 * times; a 2xx is success, its reply event (any 2xx but 202) put back into the broker; a
 * non-retryable status, exhausted retries or an undecodable reply send the event with
 * Knative's error extensions to the dead-letter sink (or drop it without one). Rejects only
 * when `signal` aborts, with no outcome.
 *
 * @internal
 */
export async function dispatchEvent(event: BrokerEvent, dispatch: TriggerDispatch, signal: AbortSignal): Promise<DispatchOutcome> {
  const { trigger, policy, log } = dispatch;
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
        if (reply !== undefined) await dispatch.reply(reply);
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
    await dispatch.deadLetter(deadLetterEvent(event, failure));
    log.warn("event dead-lettered", { ...fields, code: failure.response?.status, dead_letter_sink: dispatch.deadLetterSink });
    return "dead-lettered";
  } catch (err) {
    // Like Knative, a dead-letter sink that fails too does not hold the partition: the event is lost.
    log.error("cannot write the dead letter; the event is lost", { ...fields, error: (err as Error).message });
    return "dropped";
  }
}
