import { brokerEventOf, type BrokerEvent } from "./broker-event.js";

/**
 * Reads a CloudEvent in structured mode (`application/cloudevents+json`, one JSON object):
 * attributes are the top-level members other than `data` and `data_base64` (numbers and
 * booleans as their canonical strings); the data is `data_base64` decoded, a string `data` as
 * its UTF-8 bytes unless the content type is JSON, or any other `data` as JSON. Throws a
 * `TypeError` for anything that is not such an event.
 *
 * @example
 * brokerEventFromJson(Buffer.from('{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{}}'))
 */
export function brokerEventFromJson(bytes: Buffer): BrokerEvent {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new TypeError("structured-mode event is not valid JSON");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new TypeError("structured-mode event is not a JSON object");
  const { data, data_base64: base64, ...members } = json as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(members)) {
    if (value === null) continue;
    if (typeof value === "object") throw new TypeError(`attribute ${name} is not a string, number or boolean`);
    attributes[name] = String(value);
  }
  const contentType = attributes["datacontenttype"] ?? "application/json";
  const isJson = /^application\/(.+\+)?json\b/i.test(contentType) || /^text\/json\b/i.test(contentType);
  let payload = Buffer.alloc(0);
  if (typeof base64 === "string") payload = Buffer.from(base64, "base64");
  else if (typeof data === "string" && !isJson) payload = Buffer.from(data, "utf8");
  else if (data !== undefined) payload = Buffer.from(JSON.stringify(data), "utf8");
  return brokerEventOf(attributes, payload);
}
