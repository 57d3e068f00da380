import { brokerEventOf, type BrokerEvent } from "./broker-event.js";
import { brokerEventFromJson } from "./broker-event-from-json.js";

/**
 * Reads the reply event of a subscriber's response, as the Kafka Broker's dispatcher does:
 * structured mode for `application/cloudevents+json`, binary mode when `ce-specversion` is
 * present (values percent-decoded), and `undefined` when the response is no event at all (no
 * `ce-` headers and an empty body). Throws a `TypeError` for a non-empty body that is not an
 * event, or a malformed one: Knative then treats the delivery as failed.
 *
 * @example
 * const reply = brokerEventFromHttp(response.headers, Buffer.from(await response.arrayBuffer()));
 */
export function brokerEventFromHttp(headers: Headers, body: Buffer): BrokerEvent | undefined {
  const contentType = headers.get("content-type") ?? undefined;
  if (contentType !== undefined && /^application\/cloudevents\+json\b/i.test(contentType)) return brokerEventFromJson(body);
  const attributes: Record<string, string> = {};
  for (const [name, raw] of headers) {
    if (!name.startsWith("ce-")) continue;
    try {
      attributes[name.slice(3)] = decodeURIComponent(raw);
    } catch {
      throw new TypeError(`reply attribute ${name.slice(3)} is not validly percent-encoded`);
    }
  }
  if (attributes["specversion"] === undefined) {
    if (body.length === 0) return undefined;
    throw new TypeError("the response has a body but is not a CloudEvent (no ce-specversion, not application/cloudevents+json)");
  }
  if (contentType !== undefined) attributes["datacontenttype"] = contentType;
  return brokerEventOf(attributes, body);
}
