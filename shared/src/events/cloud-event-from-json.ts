import { Code, ConnectError } from "@connectrpc/connect";
import { optionalAttributes, requiredAttributes, type CloudEvent } from "./cloud-event.js";
import { cloudEventFromAttributes } from "./cloud-event-from-attributes.js";

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();
const stringAttributes: ReadonlySet<string> = new Set([...requiredAttributes, ...optionalAttributes]);
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses one event in the CloudEvents JSON format (structured content mode,
 * `application/cloudevents+json`). `data_base64` becomes the data's bytes as they are; a JSON
 * `data` value is serialized back to JSON when `datacontenttype` is JSON (or absent), and a
 * string `data` of another content type is taken as that text. `null` means absent; integer
 * and boolean extensions become their canonical strings. Failures are `invalid_argument`.
 *
 * @internal
 */
export function cloudEventFromJson(body: Uint8Array): CloudEvent {
  let envelope: unknown;
  try {
    envelope = JSON.parse(decoder.decode(body));
  } catch {
    throw invalid("structured event is not valid UTF-8 JSON");
  }
  if (typeof envelope !== "object" || envelope === null || Array.isArray(envelope)) {
    throw invalid("structured event must be a JSON object");
  }
  const attributes = new Map<string, string>();
  let data: unknown;
  let dataBase64: unknown;
  for (const [name, value] of Object.entries(envelope)) {
    if (value === null) continue;
    if (name === "data") data = value;
    else if (name === "data_base64") dataBase64 = value;
    else attributes.set(name, attributeString(name, value));
  }
  return cloudEventFromAttributes(attributes, dataBytes(data, dataBase64, attributes.get("datacontenttype")));
}

/** Internal: the canonical string of an attribute's JSON value. */
function attributeString(name: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (stringAttributes.has(name)) throw invalid(`attribute ${name} must be a JSON string`);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  throw invalid(`attribute ${name} must be a string, an integer or a boolean`);
}

function dataBytes(data: unknown, dataBase64: unknown, contentType: string | undefined): Uint8Array {
  if (data !== undefined && dataBase64 !== undefined) throw invalid("data and data_base64 are mutually exclusive");
  if (dataBase64 !== undefined) {
    if (typeof dataBase64 !== "string" || !base64.test(dataBase64)) throw invalid("data_base64 must be a base64 string");
    return new Uint8Array(Buffer.from(dataBase64, "base64"));
  }
  if (data === undefined) return new Uint8Array(0);
  if (typeof data === "string" && !isJson(contentType)) return encoder.encode(data);
  return encoder.encode(JSON.stringify(data));
}

/** Internal: whether a media type is JSON: absent (the JSON format's default), application/json, text/json or `+json`. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const media = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return media === "application/json" || media === "text/json" || media.endsWith("+json");
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}
