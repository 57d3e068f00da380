import { Code, ConnectError } from "@connectrpc/connect";
import type { CloudEvent } from "./cloud-event.js";
import { cloudEventFromAttributes } from "./cloud-event-from-attributes.js";
import { cloudEventFromJson } from "./cloud-event-from-json.js";
import { decodeHeaderValue } from "./ce-header-value.js";

const prefix = "ce-";

/**
 * Reads the CloudEvent of an HTTP request (or response) as the CloudEvents HTTP binding
 * defines it. Structured mode when `content-type` is `application/cloudevents+json`; binary
 * mode otherwise: attributes from `ce-*` headers (quoting undone, percent-decoded as UTF-8),
 * `content-type` as `datacontenttype`, the body as data. Batched mode and other event formats
 * are `unimplemented`; anything malformed is `invalid_argument` naming the attribute. Both
 * mean "400, do not retry" to the receiver.
 *
 * @example
 * const event = cloudEventFromHttp(c.req.raw.headers, new Uint8Array(await c.req.arrayBuffer()));
 */
export function cloudEventFromHttp(headers: Headers, body: Uint8Array): CloudEvent {
  const contentType = headers.get("content-type") ?? undefined;
  const media = (contentType?.split(";")[0] ?? "").trim().toLowerCase();
  if (media === "application/cloudevents-batch+json") {
    throw new ConnectError("batched mode is not supported: send one event per request", Code.Unimplemented);
  }
  if (media === "application/cloudevents+json") return cloudEventFromJson(body);
  if (media.startsWith("application/cloudevents")) {
    throw new ConnectError(`event format ${media} is not supported: use application/cloudevents+json or binary mode`, Code.Unimplemented);
  }
  const attributes = new Map<string, string>();
  for (const [header, raw] of headers) {
    if (!header.startsWith(prefix)) continue;
    const name = header.slice(prefix.length);
    if (name === "datacontenttype") {
      throw new ConnectError("ce-datacontenttype must not be sent in binary mode: content-type carries it", Code.InvalidArgument);
    }
    const value = decodeHeaderValue(raw);
    if (value === undefined) throw new ConnectError(`attribute ${name} is not validly percent-encoded UTF-8`, Code.InvalidArgument);
    attributes.set(name, value);
  }
  if (!attributes.has("specversion")) {
    throw new ConnectError(
      "missing required attribute specversion: not a CloudEvent (send ce-* headers or application/cloudevents+json)",
      Code.InvalidArgument,
    );
  }
  if (contentType !== undefined) attributes.set("datacontenttype", contentType);
  return cloudEventFromAttributes(attributes, body);
}
