import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFileRegistry, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { Code, createClient, createRouterTransport } from "@connectrpc/connect";
import { createWritableIterable } from "@connectrpc/connect/protocol";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import {
  ServerReflection,
  type ServerReflectionRequestSchema,
  type ServerReflectionResponse,
} from "@kinetic/contracts/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "@kinetic/contracts/grpc/reflection/v1alpha/reflection_pb.js";
import { registerReflection } from "./reflection-service.js";

type Request = MessageInitShape<typeof ServerReflectionRequestSchema>;

/** One reflection stream on an in-memory server serving Identity and Echo. */
function useReflection(service: typeof ServerReflection | typeof ServerReflectionV1alpha = ServerReflection) {
  const transport = createRouterTransport((router) => registerReflection(router, { services: [IdentityService, EchoService] }));
  const requests = createWritableIterable<Request>();
  const responses = createClient(service as typeof ServerReflection, transport).serverReflectionInfo(requests)[Symbol.asyncIterator]();
  return {
    async ask(request: Request): Promise<ServerReflectionResponse> {
      // write() settles only when the server pulls the request after this one, so do not await it.
      requests.write(request).catch(() => undefined);
      const next = await responses.next();
      assert.equal(next.done, false);
      return next.value as ServerReflectionResponse;
    },
    close: () => requests.close(),
  };
}

function filesOf(response: ServerReflectionResponse): FileDescriptorProto[] {
  assert.equal(response.messageResponse.case, "fileDescriptorResponse", JSON.stringify(response.messageResponse.value));
  return response.messageResponse.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
}

const symbol = (name: string): Request => ({ messageRequest: { case: "fileContainingSymbol", value: name } });

describe("createReflectionServices", () => {
  it("should list the services, health and reflection, echoing host and request", async () => {
    const stream = useReflection();
    const response = await stream.ask({ host: "localhost", messageRequest: { case: "listServices", value: "*" } });
    assert.equal(response.validHost, "localhost");
    assert.equal(response.originalRequest?.messageRequest.case, "listServices");
    assert.equal(response.messageResponse.case, "listServicesResponse");
    assert.deepEqual(response.messageResponse.value.service.map((s) => s.name), [
      "kinetic.identity.v1.IdentityService",
      "kinetic.echo.v1.EchoService",
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
    ]);
    stream.close();
  });

  it("should describe a service's file first, then each transitive import once", async () => {
    const stream = useReflection();
    const files = filesOf(await stream.ask(symbol("kinetic.identity.v1.IdentityService")));
    const names = files.map((f) => f.name);
    assert.equal(names[0], "kinetic/identity/v1/identity.proto");
    assert.deepEqual(files[0]?.dependency, ["buf/validate/validate.proto", "google/protobuf/field_mask.proto", "google/protobuf/timestamp.proto"]);
    assert.deepEqual([...names].sort(), [
      "buf/validate/validate.proto",
      "google/protobuf/descriptor.proto",
      "google/protobuf/duration.proto",
      "google/protobuf/field_mask.proto",
      "google/protobuf/timestamp.proto",
      "kinetic/identity/v1/identity.proto",
    ]);
    const registry = createFileRegistry(files[0]!, (name) => files.find((f) => f.name === name));
    assert.deepEqual(registry.getService("kinetic.identity.v1.IdentityService")?.methods.map((m) => m.name), IdentityService.methods.map((m) => m.name));
    stream.close();
  });

  it("should find the file of methods, fields, nested types and enum values", async () => {
    const stream = useReflection();
    const cases: [string, string][] = [
      ["kinetic.identity.v1.IdentityService.GetUser", "kinetic/identity/v1/identity.proto"],
      ["kinetic.identity.v1.User.email", "kinetic/identity/v1/identity.proto"],
      ["grpc.health.v1.HealthListResponse.StatusesEntry", "grpc/health/v1/health.proto"],
      ["grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"],
      ["grpc.health.v1.HealthCheckResponse.SERVICE_UNKNOWN", "grpc/health/v1/health.proto"],
      ["grpc.reflection.v1.ServerReflectionRequest.message_request", "grpc/reflection/v1/reflection.proto"],
      ["buf.validate.field", "buf/validate/validate.proto"],
      ["google.protobuf.Timestamp", "google/protobuf/timestamp.proto"],
    ];
    for (const [name, file] of cases) assert.equal(filesOf(await stream.ask(symbol(name)))[0]?.name, file, name);
    stream.close();
  });

  it("should describe a file by name", async () => {
    const stream = useReflection();
    const files = filesOf(await stream.ask({ messageRequest: { case: "fileByFilename", value: "kinetic/echo/v1/echo.proto" } }));
    assert.equal(files[0]?.name, "kinetic/echo/v1/echo.proto");
    assert.equal(files[0]?.service[0]?.name, "EchoService");
    stream.close();
  });

  it("should answer NOT_FOUND for unknown names and keep the stream open", async () => {
    const stream = useReflection();
    const unknown: Request[] = [
      symbol("kinetic.nope.v1.Nope"),
      { messageRequest: { case: "fileByFilename", value: "nope.proto" } },
      { messageRequest: { case: "fileContainingExtension", value: { containingType: "google.protobuf.FieldOptions", extensionNumber: 1 } } },
      { messageRequest: { case: "allExtensionNumbersOfType", value: "kinetic.nope.v1.Nope" } },
    ];
    for (const request of unknown) {
      const response = await stream.ask(request);
      assert.equal(response.messageResponse.case, "errorResponse");
      assert.equal(response.messageResponse.value.errorCode, Code.NotFound);
      assert.match(response.messageResponse.value.errorMessage, /not found/);
    }
    assert.equal(filesOf(await stream.ask(symbol("kinetic.echo.v1.EchoService")))[0]?.name, "kinetic/echo/v1/echo.proto");
    stream.close();
  });

  it("should find extensions and their numbers", async () => {
    const stream = useReflection();
    const extension = { containingType: "google.protobuf.FieldOptions", extensionNumber: 1159 };
    const files = filesOf(await stream.ask({ messageRequest: { case: "fileContainingExtension", value: extension } }));
    assert.equal(files[0]?.name, "buf/validate/validate.proto");
    const numbers = await stream.ask({ messageRequest: { case: "allExtensionNumbersOfType", value: "google.protobuf.FieldOptions" } });
    assert.equal(numbers.messageResponse.case, "allExtensionNumbersResponse");
    assert.deepEqual(numbers.messageResponse.value, { ...numbers.messageResponse.value, baseTypeName: "google.protobuf.FieldOptions", extensionNumber: [1159, 1160] });
    const none = await stream.ask({ messageRequest: { case: "allExtensionNumbersOfType", value: "kinetic.echo.v1.EchoRequest" } });
    assert.deepEqual(none.messageResponse.case === "allExtensionNumbersResponse" && none.messageResponse.value.extensionNumber, []);
    stream.close();
  });

  it("should answer on grpc.reflection.v1alpha too", async () => {
    const stream = useReflection(ServerReflectionV1alpha);
    const list = await stream.ask({ messageRequest: { case: "listServices", value: "" } });
    assert.equal(list.$typeName as string, "grpc.reflection.v1alpha.ServerReflectionResponse");
    assert.ok(list.messageResponse.case === "listServicesResponse" && list.messageResponse.value.service.some((s) => s.name === "kinetic.echo.v1.EchoService"));
    assert.equal(filesOf(await stream.ask(symbol("kinetic.echo.v1.EchoRequest")))[0]?.name, "kinetic/echo/v1/echo.proto");
    stream.close();
  });
});
