import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { Health } from "@kinetic/contracts/grpc/health/v1/health_pb.js";
import { ServerReflection } from "@kinetic/contracts/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "@kinetic/contracts/grpc/reflection/v1alpha/reflection_pb.js";
import { implement, type ServiceImplementation } from "../function/define-function.js";
import { answerReflectionRequest, type ReflectionAnswer, type ReflectionRequest } from "./reflection-answer.js";
import { createReflectionIndex, type ReflectionIndex } from "./reflection-index.js";

export interface ReflectionOptions {
  /** The services the function serves; listed, and described with every file they import. */
  readonly services: readonly DescService[];
  /**
   * Other services the server registers besides `services` and reflection itself (always
   * listed). Default `[Health]`, which the Kinetic server always serves.
   */
  readonly extraServices?: readonly DescService[];
}

/**
 * Implements gRPC server reflection, both `grpc.reflection.v1.ServerReflection` and the
 * `grpc.reflection.v1alpha` one older clients still call, so `grpcurl`, `buf curl` and
 * Postman can list and call a function's services without its protos.
 *
 * Answers list_services, file_by_filename, file_containing_symbol, file_containing_extension
 * and all_extension_numbers_of_type from the services' embedded descriptors. A file is sent with
 * its transitive imports, the file first. Unknown names get an `error_response` with `NOT_FOUND`
 * and the stream stays open.
 *
 * Returns one `ServiceImplementation` per version, to register both (`registerReflection` does).
 *
 * @example
 * const reflection = createReflectionServices({ services: [EchoService] });
 * for (const { service, implementation } of reflection) router.service(service, implementation);
 */
export function createReflectionServices(options: ReflectionOptions): ServiceImplementation[] {
  const { services, extraServices = [Health] } = options;
  const index = createReflectionIndex([...services, ...extraServices, ServerReflection, ServerReflectionV1alpha]);
  return [
    implement(ServerReflection, { serverReflectionInfo: (requests) => answerAll(index, requests) }),
    implement(ServerReflectionV1alpha, { serverReflectionInfo: (requests) => answerAll(index, requests) }),
  ];
}

/**
 * Registers both reflection versions on `router`; `createReflectionServices` for the parts.
 *
 * @example
 * registerReflection(router, { services: [IdentityService] });
 */
export function registerReflection(router: ConnectRouter, options: ReflectionOptions): void {
  for (const { service, implementation } of createReflectionServices(options)) router.service(service, implementation);
}

interface ReflectionReply<R> {
  validHost: string;
  originalRequest: R;
  messageResponse: ReflectionAnswer;
}

/** One response per request, in order, echoing the host and the request as gRPC servers do. */
async function* answerAll<R extends ReflectionRequest & { readonly host: string }>(
  index: ReflectionIndex,
  requests: AsyncIterable<R>,
): AsyncGenerator<ReflectionReply<R>> {
  for await (const request of requests) {
    yield { validHost: request.host, originalRequest: request, messageResponse: answerReflectionRequest(index, request) };
  }
}
