import type { CloudEvent } from "./cloud-event.js";
import { encodeHeaderValue } from "./ce-header-value.js";

/** An HTTP message carrying one event in binary content mode. */
export interface HttpCloudEvent {
  /** `ce-*` headers, percent-encoded, plus `content-type` when the event has a `datacontenttype`. */
  readonly headers: Record<string, string>;
  /** The data's bytes. */
  readonly body: Uint8Array;
}

/**
 * Writes an event in binary content mode, the mode Knative's brokers and dispatchers use:
 * every attribute but `datacontenttype` becomes a `ce-<name>` header, percent-encoded as the
 * HTTP binding requires; `datacontenttype` becomes `content-type`; the data is the body.
 * `cloudEventFromHttp` reads it back unchanged.
 *
 * @example
 * const { headers, body } = cloudEventToHttp(event);
 * await fetch(sinkUrl, { method: "POST", headers, body });
 */
export function cloudEventToHttp(event: CloudEvent): HttpCloudEvent {
  const headers: Record<string, string> = {};
  const attributes: Record<string, string | undefined> = {
    ...event.extensions,
    specversion: event.specversion,
    id: event.id,
    source: event.source,
    type: event.type,
    subject: event.subject,
    time: event.time,
    dataschema: event.dataschema,
  };
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) headers[`ce-${name}`] = encodeHeaderValue(value);
  }
  if (event.datacontenttype !== undefined) headers["content-type"] = event.datacontenttype;
  return { headers, body: event.data };
}
