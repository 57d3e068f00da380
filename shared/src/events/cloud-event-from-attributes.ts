import { Code, ConnectError } from "@connectrpc/connect";
import { optionalAttributes, requiredAttributes, type CloudEvent } from "./cloud-event.js";

const attributeName = /^[a-z0-9]+$/;
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Validates context attributes, already decoded to strings from any content mode, and builds
 * the event. Every failure is an `invalid_argument` `ConnectError` naming the attribute, which
 * the receiver answers with 400: a malformed event fails the same way on every redelivery.
 *
 * @internal
 */
export function cloudEventFromAttributes(attributes: ReadonlyMap<string, string>, data: Uint8Array): CloudEvent {
  for (const [name, value] of attributes) {
    if (!attributeName.test(name) || name === "data") {
      throw invalid(`attribute name "${name}" is invalid: CloudEvents attribute names are lower-case letters and digits`);
    }
    if (controlCharacter.test(value)) throw invalid(`attribute ${name} contains a control character`);
  }
  const specversion = required(attributes, "specversion");
  if (specversion !== "1.0") throw invalid(`specversion "${specversion}" is not supported: only 1.0 is`);
  const [id, source, type] = [required(attributes, "id"), required(attributes, "source"), required(attributes, "type")];
  const [subject, time, datacontenttype, dataschema] = optionalAttributes.map((name) => optional(attributes, name));
  if (time !== undefined && (!rfc3339.test(time) || Number.isNaN(Date.parse(time)))) {
    throw invalid(`attribute time must be an RFC 3339 timestamp, got "${time}"`);
  }
  if (dataschema !== undefined && !isAbsoluteUri(dataschema)) throw invalid("attribute dataschema must be an absolute URI");
  const known = new Set<string>([...requiredAttributes, ...optionalAttributes]);
  const extensions = Object.fromEntries([...attributes].filter(([name]) => !known.has(name)));
  return { specversion: "1.0", id, source, type, subject, time, datacontenttype, dataschema, data, extensions };
}

function required(attributes: ReadonlyMap<string, string>, name: (typeof requiredAttributes)[number]): string {
  const value = attributes.get(name);
  if (value === undefined) throw invalid(`missing required attribute ${name}`);
  if (value === "") throw invalid(`attribute ${name} must not be empty`);
  return value;
}

function optional(attributes: ReadonlyMap<string, string>, name: string): string | undefined {
  const value = attributes.get(name);
  if (value === "") throw invalid(`attribute ${name} must not be empty when present`);
  return value;
}

function isAbsoluteUri(value: string): boolean {
  try {
    return new URL(value).protocol !== "";
  } catch {
    return false;
  }
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}
