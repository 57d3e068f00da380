import type { BrokerEvent } from "./broker-event.js";

/** Why a delivery failed for good: where it went and, when the subscriber answered, its response. */
export interface DeliveryFailure {
  /** The subscriber URL of the last attempt. */
  readonly destination: string;
  /** The last response; absent after a network error, a timeout or an undecodable reply. */
  readonly response?: { readonly status: number; readonly headers: Headers; readonly body: Buffer } | undefined;
}

/** Knative's cap on `knativeerrordata`: the first 1024 bytes of the response body. */
const errorDataMaxBytes = 1024;
const extensionName = /^[a-z0-9]{1,64}$/;

/**
 * The event the Kafka Broker sends to the dead-letter sink: the original event, unchanged, plus
 * `knativeerrordest` (the subscriber URL) and, when there was a response, `knativeerrorcode`
 * (its status), one extension per `kne-<name>` response header, and `knativeerrordata`: the
 * first 1024 bytes of the body, base64-encoded (standard alphabet, padded), omitted when the
 * body is empty. Base64 because an extension value must be a string and a body may be binary.
 *
 * @example
 * Buffer.from(deadLetter.attributes["knativeerrordata"]!, "base64").toString() // the subscriber's error body
 */
export function deadLetterEvent(event: BrokerEvent, failure: DeliveryFailure): BrokerEvent {
  const attributes: Record<string, string> = { ...event.attributes, knativeerrordest: failure.destination };
  const response = failure.response;
  if (response !== undefined) {
    attributes["knativeerrorcode"] = String(response.status);
    for (const [header, value] of response.headers) {
      const name = header.toLowerCase().startsWith("kne-") ? header.slice(4).toLowerCase() : undefined;
      if (name !== undefined && extensionName.test(name)) attributes[name] = value;
    }
    if (response.body.length > 0) attributes["knativeerrordata"] = response.body.subarray(0, errorDataMaxBytes).toString("base64");
  }
  return { attributes, data: event.data };
}
