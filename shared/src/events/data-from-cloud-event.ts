import { fromBinary, fromJson, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { CloudEvent } from "./cloud-event.js";

const decoder = new TextDecoder("utf-8", { fatal: true });
const binaryTypes: ReadonlySet<string> = new Set(["application/protobuf", "application/x-protobuf"]);
const jsonTypes: ReadonlySet<string> = new Set(["application/json", "text/json"]);

/**
 * Decodes an event's data into the subscribed message, as `datacontenttype` says (absent means
 * JSON, the CloudEvents default): protobuf JSON for `application/json`, ignoring unknown fields
 * so producers can add fields first; the binary wire format for `application/protobuf` and
 * `application/x-protobuf`. Another content type, empty JSON or malformed data is an
 * `invalid_argument` `ConnectError`: it would fail the same way on every redelivery.
 *
 * @example
 * const created = dataFromCloudEvent(UserCreatedSchema, event); // created.user?.id
 */
export function dataFromCloudEvent<T extends DescMessage>(schema: T, event: CloudEvent): MessageShape<T> {
  const media = (event.datacontenttype?.split(";")[0] ?? "application/json").trim().toLowerCase();
  if (jsonTypes.has(media)) {
    if (event.data.length === 0) throw invalid(`data is empty: expected a ${schema.typeName} as JSON`);
    let json: JsonValue;
    try {
      json = JSON.parse(decoder.decode(event.data)) as JsonValue;
    } catch {
      throw invalid("data is not valid UTF-8 JSON");
    }
    try {
      return fromJson(schema, json, { ignoreUnknownFields: true });
    } catch (err) {
      // protobuf-es quotes the offending value after ": "; data may be personal, so it is cut.
      throw invalid(`data is not a valid ${schema.typeName} in JSON: ${reason(err).split(": ")[0]}`);
    }
  }
  if (binaryTypes.has(media)) {
    try {
      return fromBinary(schema, event.data);
    } catch (err) {
      throw invalid(`data is not a valid ${schema.typeName} in protobuf binary: ${reason(err)}`);
    }
  }
  throw invalid(`datacontenttype "${media}" is not supported: use application/json or application/protobuf`);
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}
