import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { Health, HealthCheckRequestSchema, HealthCheckResponseSchema } from "@kinetic/contracts/grpc/health/v1/health_pb.js";
import * as v1 from "@kinetic/contracts/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "@kinetic/contracts/grpc/reflection/v1alpha/reflection_pb.js";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { createHealthService } from "./health-service.js";
import { HealthState } from "./health-state.js";
import { registerReflection } from "./reflection-service.js";

// Independent clients (@grpc/grpc-js, buf curl) against a real HTTP/2 server: proves gRPC wire compatibility.
const buf = fileURLToPath(new URL("../../../node_modules/.bin/buf", import.meta.url));

const codec = <T extends DescMessage>(schema: T) => ({
  serialize: (message: MessageShape<T>) => Buffer.from(toBinary(schema, message)),
  deserialize: (bytes: Buffer) => fromBinary(schema, bytes),
});

describe("reflection and health over gRPC", () => {
  let server: http2.Http2Server;
  let address: string;
  let client: grpc.Client;

  before(async () => {
    server = http2.createServer(
      connectNodeAdapter({
        routes(router) {
          router.service(Health, createHealthService(new HealthState()));
          registerReflection(router, { services: [IdentityService, EchoService] });
        },
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new grpc.Client(address, grpc.credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends every request on one stream and collects the responses. */
  async function reflect<V extends typeof v1 | typeof v1alpha>(version: V, requests: MessageInitShape<V["ServerReflectionRequestSchema"]>[]) {
    const { serialize } = codec(version.ServerReflectionRequestSchema);
    const { deserialize } = codec(version.ServerReflectionResponseSchema);
    const stream = client.makeBidiStreamRequest(`/${version.ServerReflection.typeName}/ServerReflectionInfo`, serialize, deserialize);
    const responses: MessageShape<V["ServerReflectionResponseSchema"]>[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on("data", (response: MessageShape<V["ServerReflectionResponseSchema"]>) => responses.push(response));
      stream.on("error", reject);
      stream.on("end", resolve);
    });
    for (const request of requests) stream.write(create(version.ServerReflectionRequestSchema, request));
    stream.end();
    await done;
    return responses;
  }

  it("should answer @grpc/grpc-js on grpc.reflection.v1, errors included, on one stream", async () => {
    const responses = await reflect(v1, [
      { host: address, messageRequest: { case: "listServices", value: "" } },
      { messageRequest: { case: "fileContainingSymbol", value: "kinetic.nope.v1.Nope" } },
      { messageRequest: { case: "fileContainingSymbol", value: "kinetic.identity.v1.IdentityService" } },
    ]);
    assert.deepEqual(responses.map((r) => r.messageResponse.case), ["listServicesResponse", "errorResponse", "fileDescriptorResponse"]);
    const [list, error, files] = responses;
    assert.equal(list?.validHost, address);
    assert.ok(list?.messageResponse.case === "listServicesResponse");
    assert.ok(list.messageResponse.value.service.some((s) => s.name === "kinetic.identity.v1.IdentityService"));
    assert.ok(error?.messageResponse.case === "errorResponse");
    assert.equal(error.messageResponse.value.errorCode, grpc.status.NOT_FOUND);
    assert.ok(files?.messageResponse.case === "fileDescriptorResponse");
    const names = files.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);
    assert.equal(names[0], "kinetic/identity/v1/identity.proto");
    assert.ok(names.includes("buf/validate/validate.proto"));
  });

  it("should answer @grpc/grpc-js on grpc.reflection.v1alpha", async () => {
    const [response] = await reflect(v1alpha, [{ messageRequest: { case: "fileByFilename", value: "kinetic/echo/v1/echo.proto" } }]);
    assert.ok(response?.messageResponse.case === "fileDescriptorResponse");
  });

  it("should answer a @grpc/grpc-js health check", async () => {
    const { serialize } = codec(HealthCheckRequestSchema);
    const { deserialize } = codec(HealthCheckResponseSchema);
    const response = await new Promise<MessageShape<typeof HealthCheckResponseSchema>>((resolve, reject) =>
      client.makeUnaryRequest("/grpc.health.v1.Health/Check", serialize, deserialize, create(HealthCheckRequestSchema), (err, value) =>
        err || value === undefined ? reject(err) : resolve(value),
      ),
    );
    assert.equal(response.status, 1);
  });

  it("should list services and methods, and call through reflection, with buf curl", async () => {
    const run = promisify(execFile);
    const base = ["curl", "--http2-prior-knowledge", "--protocol", "grpc"];
    const services = await run(buf, [...base, "--list-services", `http://${address}`]);
    assert.deepEqual(services.stdout.trim().split("\n").sort(), [
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "kinetic.echo.v1.EchoService",
      "kinetic.identity.v1.IdentityService",
    ]);
    const methods = await run(buf, [...base, "--reflect-protocol", "grpc-v1alpha", "--list-methods", `http://${address}`]);
    assert.match(methods.stdout, /^kinetic\.identity\.v1\.IdentityService\/GetUser$/m);
    const check = await run(buf, [...base, "-d", "{}", `http://${address}/grpc.health.v1.Health/Check`]);
    assert.deepEqual(JSON.parse(check.stdout), { status: "SERVING" });
  });
});
