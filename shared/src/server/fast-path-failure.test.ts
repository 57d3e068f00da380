import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { EchoRequestSchema, EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { createConnectUnaryFastPath } from "./connect-unary-fast-path.js";
import { grpcFrame, sendGrpc, sendH1 } from "./fast-path-fixture.js";
import { createGrpcUnaryFastPath } from "./grpc-unary-fast-path.js";
import { createOnePortServer, type OnePortServer } from "./one-port-server.js";
import { createUnaryRoutes } from "./unary-routes.js";

const echo = "/kinetic.echo.v1.EchoService/Echo";

describe("unary fast paths when they fail outside a call's error handling", () => {
  let server: OnePortServer;
  let url: string;
  const logged: unknown[] = [];
  const consoleError = console.error;
  before(async () => {
    console.error = (...args: unknown[]) => void logged.push(args);
    // The handler context is built before the call's own try: a contextValues that throws fails there.
    const routes = createUnaryRoutes({
      services: [{ service: EchoService, implementation: { echo: (req: { message: string }) => ({ message: req.message }) } }],
      contextValues: () => {
        throw new Error("contextValues failed");
      },
    });
    const connect = createConnectUnaryFastPath(routes);
    const grpc = createGrpcUnaryFastPath(routes);
    server = createOnePortServer({
      handler: (req, res) => {
        if (!connect(req, res)) res.writeHead(404).end();
      },
      streamHandler: grpc,
    });
    url = `http://127.0.0.1:${(await server.listen(0, "127.0.0.1")).port}`;
  });
  after(async () => {
    console.error = consoleError;
    await server.drain(1000);
  });

  it("should answer a Connect call with internal, not leave it hanging", async () => {
    const answer = await sendH1(url, { path: echo, headers: { "content-type": "application/json" }, body: new TextEncoder().encode('{"message":"hi"}') });
    assert.equal(answer.status, 500);
    assert.deepEqual(JSON.parse(Buffer.from(answer.body, "base64").toString()), { code: "internal", message: "internal error" });
    assert.ok(logged.some((args) => String((args as unknown[])[1]).includes("contextValues failed")), "the failure is logged");
  });

  it("should answer a gRPC call with status 13, not leave it hanging", async () => {
    const session = http2.connect(url);
    try {
      const body = grpcFrame(toBinary(EchoRequestSchema, create(EchoRequestSchema, { message: "hi" })));
      const answer = await sendGrpc(session, { path: echo, headers: { "content-type": "application/grpc", te: "trailers" }, body });
      assert.equal(answer.status, 200);
      const status = answer.headers["grpc-status"] ?? answer.trailers["grpc-status"];
      assert.equal(status, "13");
    } finally {
      session.close();
    }
  });
});
