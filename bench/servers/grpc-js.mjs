// @grpc/grpc-js serving the same unary echo, with a hand-built service definition whose
// (de)serializers are protobuf-es.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { EchoRequestSchema, EchoResponseSchema } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";

const definition = {
  Echo: {
    path: "/kinetic.echo.v1.EchoService/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: (message) => Buffer.from(toBinary(EchoRequestSchema, message)),
    requestDeserialize: (bytes) => fromBinary(EchoRequestSchema, bytes),
    responseSerialize: (message) => Buffer.from(toBinary(EchoResponseSchema, message)),
    responseDeserialize: (bytes) => fromBinary(EchoResponseSchema, bytes),
  },
};

const server = new Server();
server.addService(definition, {
  Echo: (call, callback) => callback(null, create(EchoResponseSchema, { message: call.request.message })),
});
server.bindAsync(`127.0.0.1:${process.env.PORT ?? 0}`, ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
});
