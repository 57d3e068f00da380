import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ConnectError, Code } from "@connectrpc/connect";
import { EchoResponseSchema, EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { createJsonResponseSerializer } from "./json-response-serializer.js";
import { createUnaryRoutes } from "./unary-routes.js";

const routesWith = (writeMaxBytes?: number) =>
  createUnaryRoutes({ services: [{ service: EchoService, implementation: {} }], ...(writeMaxBytes === undefined ? {} : { writeMaxBytes }) });

/** What connect's own JSON serializer answers for the same output: the text, or its error. */
function connectAnswer(routes: ReturnType<typeof routesWith>, output: ReturnType<typeof create<typeof EchoResponseSchema>>): string | ConnectError {
  try {
    return new TextDecoder().decode(routes.get("/kinetic.echo.v1.EchoService/Echo")!.serialization.getO(false).serialize(output));
  } catch (e) {
    return e as ConnectError;
  }
}

function ourAnswer(routes: ReturnType<typeof routesWith>, output: ReturnType<typeof create<typeof EchoResponseSchema>>): string | ConnectError {
  try {
    return createJsonResponseSerializer(routes.opt).serialize(routes.get("/kinetic.echo.v1.EchoService/Echo")!, output);
  } catch (e) {
    return e as ConnectError;
  }
}

describe("createJsonResponseSerializer", () => {
  for (const message of ["", "hello", "ünïcode ✓ 🧪", "x".repeat(70_000)]) {
    it(`should give connect's text for a ${message.length}-character message`, () => {
      const routes = routesWith();
      const output = create(EchoResponseSchema, { message });
      assert.equal(ourAnswer(routes, output), connectAnswer(routes, output));
    });
  }

  it("should refuse what is over writeMaxBytes with connect's error, counting bytes, not characters", () => {
    const routes = routesWith(20);
    // 6 characters of 4 bytes each plus the braces: under 20 characters, over 20 bytes.
    const output = create(EchoResponseSchema, { message: "🧪🧪🧪" });
    const ours = ourAnswer(routes, output);
    const theirs = connectAnswer(routes, output);
    assert.ok(ours instanceof ConnectError && theirs instanceof ConnectError);
    assert.equal(ours.code, Code.ResourceExhausted);
    assert.equal(ours.message, theirs.message);
    assert.equal(typeof ourAnswer(routes, create(EchoResponseSchema, { message: "ok" })), "string", "under the limit it answers");
  });
});
