import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { EventHandler } from "./event-context.js";
import { validateEventFilters, type EventFilter } from "./event-filter.js";
import { eventTypeOf } from "./event-type-of.js";

/** Knative delivery spec of the Trigger (or KafkaSource) that feeds a subscription. */
export interface DeliveryOptions {
  /** Redeliveries after a retryable failure (5xx, 429) before the event is dead-lettered. Default 5. */
  retry?: number;
  /** How the delay grows between redeliveries. Default "exponential". */
  backoffPolicy?: "exponential" | "linear";
  /** ISO-8601 duration of the first delay. Default "PT0.2S". */
  backoffDelay?: string;
  /** Send events that are rejected (400) or run out of retries to the function's dead-letter sink. Default true. */
  deadLetter?: boolean;
}

export interface SubscriptionOptions {
  /** DNS-1035 label naming the Trigger. Default derived from the type: "identity-user-created-v1". */
  name?: string;
  /** Knative Trigger `filters` besides the type, ANDed. Default none. */
  filters?: readonly EventFilter[];
  /** Deliver one event at a time per Kafka partition, in order (Knative Kafka `delivery.order`). Default true. */
  ordered?: boolean;
  /** Retries and dead letters. Defaults: see `DeliveryOptions`. */
  delivery?: DeliveryOptions;
}

/** A function's subscription to one CloudEvents type, with every default filled in. */
export interface Subscription {
  /** The message `data` decodes to; undefined for raw Kafka records, whose handler gets the bytes. */
  readonly schema: DescMessage | undefined;
  /** The CloudEvents type, `eventTypeOf(schema)`. */
  readonly type: string;
  readonly name: string;
  readonly filters: readonly EventFilter[];
  readonly ordered: boolean;
  readonly delivery: Readonly<Required<DeliveryOptions>>;
  readonly handler: EventHandler<unknown>;
}

/** The type KafkaSource gives records that were not CloudEvents; their data is the record value. */
export const kafkaRecordEventType = "dev.knative.kafka.event";

const labelRule = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const durationRule = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/**
 * Subscribes a function to the event a proto message declares. Validates at once: a message
 * without `option (kinetic.events.v1.event)`, a bad name, filter or delivery spec throws a
 * `TypeError` when the function's module is imported.
 *
 * @example
 * on(UserCreatedSchema, async (created, { tx }) => {
 *   await tx!`insert into welcome_mails (user_id) values (${created.user?.id ?? ""})`;
 * }, { filters: [{ prefix: { subject: "user-" } }] })
 */
export function on<T extends DescMessage>(schema: T, handler: EventHandler<MessageShape<T>>, options: SubscriptionOptions = {}): Subscription {
  const type = eventTypeOf(schema);
  return subscriptionOf(schema, type, options.name ?? nameFromType(type), handler as EventHandler<unknown>, options);
}

/**
 * Subscribes to records a KafkaSource read from a topic written by something that does not
 * speak CloudEvents (type "dev.knative.kafka.event"): the handler gets the record value as
 * bytes; `ctx.event` has the topic in `source`, partition and offset in `id` and `subject`, the
 * key in the `key` extension. Filter on `source` (suffix "#<topic>") when several sources feed it.
 *
 * @example
 * onKafkaRecord(async (value, { event }) => { … }, { name: "audit-log", filters: [{ suffix: { source: "#audit" } }] })
 */
export function onKafkaRecord(handler: EventHandler<Uint8Array>, options: SubscriptionOptions = {}): Subscription {
  return subscriptionOf(undefined, kafkaRecordEventType, options.name ?? "kafka-record", handler as EventHandler<unknown>, options);
}

/** Internal: fills in defaults (the one place) and validates. */
function subscriptionOf(
  schema: DescMessage | undefined,
  type: string,
  name: string,
  handler: EventHandler<unknown>,
  { filters = [], ordered = true, delivery = {} }: SubscriptionOptions,
): Subscription {
  if (!labelRule.test(name)) {
    throw new TypeError(`subscription name "${name}" must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter`);
  }
  validateEventFilters(name, filters);
  const { retry = 5, backoffPolicy = "exponential", backoffDelay = "PT0.2S", deadLetter = true } = delivery;
  if (!Number.isInteger(retry) || retry < 0) throw new TypeError(`subscription "${name}": delivery.retry must be a non-negative integer`);
  if (backoffPolicy !== "exponential" && backoffPolicy !== "linear") {
    throw new TypeError(`subscription "${name}": delivery.backoffPolicy must be "exponential" or "linear"`);
  }
  if (!durationRule.test(backoffDelay)) {
    throw new TypeError(`subscription "${name}": delivery.backoffDelay must be an ISO-8601 duration such as "PT0.2S"`);
  }
  return { schema, type, name, filters, ordered, delivery: { retry, backoffPolicy, backoffDelay, deadLetter }, handler };
}

/** Internal: "kinetic.identity.user.created.v1" → "identity-user-created-v1". */
function nameFromType(type: string): string {
  return type
    .replace(/^kinetic\./, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}
