import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { toJsonString, type JsonWriteStringOptions } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { getJsonOptions, type UniversalHandlerOptions } from "@connectrpc/connect/protocol";
import type { UnaryRoute } from "./unary-routes.js";

/** Serialises unary responses to JSON text (see `createJsonResponseSerializer`). */
export interface JsonResponseSerializer {
  /** The output message as JSON text, or the `ConnectError` connect's serializer throws. */
  serialize(route: UnaryRoute, output: MessageShape<DescMessage>): string;
}

/**
 * connect's JSON serialisation of a response with its `writeMaxBytes` limit (the same options,
 * errors and messages), kept as text: Node writes a string body together with the response
 * head in one chunk, while connect's bytes (`TextEncoder`) are a fresh buffer outside Node's
 * pool per response, written apart from the head.
 *
 * @example
 * const json = createJsonResponseSerializer(opt);
 * res.end(json.serialize(route, output));
 */
export function createJsonResponseSerializer(opt: Pick<UniversalHandlerOptions, "jsonOptions" | "writeMaxBytes">): JsonResponseSerializer {
  // connect hands these to toJsonString as they are; undefined fields mean the defaults.
  const options = getJsonOptions(opt.jsonOptions) as Partial<JsonWriteStringOptions>;
  return {
    serialize(route, output) {
      let text: string;
      try {
        text = toJsonString(route.spec.method.output, output, options);
      } catch (e) {
        throw ConnectError.from(e, Code.Internal);
      }
      // As connect's assertWriteMaxBytes; a string is at most 3 bytes per UTF-16 unit, so short ones need no count.
      if (text.length * 3 > opt.writeMaxBytes) {
        const bytes = Buffer.byteLength(text);
        if (bytes > opt.writeMaxBytes) throw new ConnectError(`message size ${bytes} is larger than configured writeMaxBytes ${opt.writeMaxBytes}`, Code.ResourceExhausted);
      }
      return text;
    },
  };
}
