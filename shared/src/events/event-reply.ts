import { randomUUID } from "node:crypto";
import { create, toJsonString, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { context, type TextMapSetter } from "@opentelemetry/api";
import { w3cTraceContext } from "../telemetry/w3c-trace-context.js";
import type { CloudEvent } from "./cloud-event.js";
import { eventTypeOf } from "./event-type-of.js";

/**
 * An event a handler returns to the sender in the HTTP response. The broker routes it like any
 * published event; the runtime gives it the function's `source`, a new `id` and the time.
 */
export interface EventReply {
  /** The CloudEvents type the message declares. */
  readonly type: string;
  readonly subject: string | undefined;
  /** Always "application/json": protobuf JSON, readable by any consumer. */
  readonly datacontenttype: string;
  readonly data: Uint8Array;
}

export interface ReplyOptions {
  /** The entity the reply is about, such as a user id. Default none. */
  subject?: string | undefined;
}

const encoder = new TextEncoder();

/**
 * Builds the reply event of a handler from a proto message that declares its event type.
 * Throws a `TypeError` when the message is not an event.
 *
 * @example
 * on(UserCreatedSchema, async (created) => reply(WelcomeSentSchema, { userId: created.user?.id }, { subject: created.user?.id }))
 */
export function reply<T extends DescMessage>(schema: T, init: MessageInitShape<T>, options: ReplyOptions = {}): EventReply {
  const type = eventTypeOf(schema);
  return {
    type,
    subject: options.subject,
    datacontenttype: "application/json",
    data: encoder.encode(toJsonString(schema, create(schema, init))),
  };
}

const recordCarrier: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => void (carrier[key] = value),
};

/**
 * The CloudEvent of a reply: the function's `source`, a new `id`, the current time, and the
 * active span as the `traceparent` extension so the reply's consumers continue the trace.
 *
 * @internal
 */
export function cloudEventFromReply(eventReply: EventReply, source: string): CloudEvent {
  const extensions: Record<string, string> = {};
  w3cTraceContext.inject(context.active(), extensions, recordCarrier);
  return {
    specversion: "1.0",
    id: randomUUID(),
    source,
    type: eventReply.type,
    subject: eventReply.subject,
    time: new Date().toISOString(),
    datacontenttype: eventReply.datacontenttype,
    data: eventReply.data,
    extensions,
  };
}
