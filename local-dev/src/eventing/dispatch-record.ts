import type { BrokerEvent } from "./broker-event.js";
import { brokerEventFromKafka, type KafkaRecordParts } from "./broker-event-from-kafka.js";
import { dispatchEvent, type DispatchOutcome, type TriggerDispatch } from "./dispatch-event.js";

/**
 * Dispatches one record of the broker's topic for one trigger: a record that is no CloudEvent
 * is skipped (logged), as the Kafka Broker discards invalid records; anything else goes through
 * `dispatchEvent`. Rejects only when `signal` aborts, leaving the offset uncommitted.
 *
 * @internal
 */
export async function dispatchRecord(record: KafkaRecordParts & { readonly offset: string }, dispatch: TriggerDispatch, signal: AbortSignal): Promise<DispatchOutcome> {
  let event: BrokerEvent;
  try {
    event = brokerEventFromKafka(record);
  } catch (err) {
    dispatch.log.warn("record skipped: not a CloudEvent", { trigger: dispatch.trigger, offset: record.offset, reason: (err as Error).message });
    return "skipped";
  }
  return dispatchEvent(event, dispatch, signal);
}
