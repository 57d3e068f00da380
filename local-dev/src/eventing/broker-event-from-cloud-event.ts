import type { CloudEvent } from "@kinetic/runtime";
import { brokerEventOf, type BrokerEvent } from "./broker-event.js";

/**
 * The broker's view of an event `cloudEventFromHttp` read: every attribute and extension by
 * name (`datacontenttype` included, for filters), the data as a Buffer over the same bytes.
 * Throws a `TypeError` for what `brokerEventOf` refuses (an attribute name over 64 characters).
 *
 * @example
 * const event = brokerEventFromCloudEvent(cloudEventFromHttp(headers, body));
 */
export function brokerEventFromCloudEvent(event: CloudEvent): BrokerEvent {
  const { data, extensions, ...context } = event;
  const attributes: Record<string, string> = { ...extensions };
  for (const [name, value] of Object.entries(context)) if (value !== undefined) attributes[name] = value;
  return brokerEventOf(attributes, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
