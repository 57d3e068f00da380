import { Code } from "@connectrpc/connect";
import type { DescFile } from "@bufbuild/protobuf";
import type { ReflectionIndex } from "./reflection-index.js";

/**
 * Internal: the part of a `ServerReflectionRequest` the answer depends on, shared by
 * `grpc.reflection.v1` and `grpc.reflection.v1alpha`, whose messages have the same shape.
 */
export type ReflectionRequest = {
  readonly messageRequest:
    | { readonly case: "fileByFilename" | "fileContainingSymbol" | "allExtensionNumbersOfType" | "listServices"; readonly value: string }
    | { readonly case: "fileContainingExtension"; readonly value: { readonly containingType: string; readonly extensionNumber: number } }
    | { readonly case: undefined; readonly value?: undefined };
};

/** Internal: the `message_response` oneof of a `ServerReflectionResponse`, in either version. */
export type ReflectionAnswer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

/**
 * Internal: answers one reflection request. What cannot be found is an `error_response`
 * (gRPC code in `error_code`), never a thrown error, so the stream keeps serving.
 */
export function answerReflectionRequest(index: ReflectionIndex, request: ReflectionRequest): ReflectionAnswer {
  const { messageRequest } = request;
  switch (messageRequest.case) {
    case "listServices":
      return { case: "listServicesResponse", value: { service: index.serviceNames.map((name) => ({ name })) } };
    case "fileByFilename":
      return describe(index, index.fileByName(messageRequest.value), `file "${messageRequest.value}" not found`);
    case "fileContainingSymbol":
      return describe(index, index.fileContainingSymbol(messageRequest.value), `symbol "${messageRequest.value}" not found`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = messageRequest.value;
      const extension = index.extension(containingType, extensionNumber);
      return describe(index, extension?.file, `extension ${extensionNumber} of type "${containingType}" not found`);
    }
    case "allExtensionNumbersOfType": {
      const numbers = index.extensionNumbers(messageRequest.value);
      if (numbers === undefined) return error(Code.NotFound, `type "${messageRequest.value}" not found`);
      return { case: "allExtensionNumbersResponse", value: { baseTypeName: messageRequest.value, extensionNumber: numbers } };
    }
    case undefined:
      return error(Code.InvalidArgument, "message_request is not set");
  }
}

function describe(index: ReflectionIndex, file: DescFile | undefined, notFound: string): ReflectionAnswer {
  if (file === undefined) return error(Code.NotFound, notFound);
  return { case: "fileDescriptorResponse", value: { fileDescriptorProto: index.describe(file) } };
}

function error(code: Code, message: string): ReflectionAnswer {
  return { case: "errorResponse", value: { errorCode: code, errorMessage: message } };
}
