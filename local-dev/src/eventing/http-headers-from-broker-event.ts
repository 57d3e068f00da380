import type { BrokerEvent } from "./broker-event.js";

/**
 * The HTTP headers carrying an event in binary content mode, as Knative's dispatchers send it:
 * `ce-<name>` for every attribute but `datacontenttype`, which is `content-type`; values
 * percent-encoded as the CloudEvents HTTP binding requires (space, `"`, `%` and every byte
 * outside printable ASCII become `%XX` of their UTF-8 encoding).
 *
 * @example
 * await fetch(url, { method: "POST", headers: httpHeadersFromBrokerEvent(event), body: event.data });
 */
export function httpHeadersFromBrokerEvent(event: BrokerEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.attributes)) {
    if (name === "datacontenttype") headers["content-type"] = value;
    else headers[`ce-${name}`] = percentEncode(value);
  }
  return headers;
}

/** Internal: the binding's percent-encoding. */
function percentEncode(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const printable = byte >= 0x21 && byte <= 0x7e && byte !== 0x22 && byte !== 0x25;
    out += printable ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
