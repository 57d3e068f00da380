import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { after, describe, it } from "node:test";
import type { UnaryRequest, UnaryResponse } from "@connectrpc/connect";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { createClientFactory } from "./client-factory.js";
import { callerHeader, createInboundCallInterceptor, inboundCall, subjectHeader, type InboundCall } from "./inbound-call.js";

// Node runs each test file in its own process: tracking starts off here, and the tests below
// run in order, each one step further.
describe("inbound call tracking", () => {
  const run = AsyncLocalStorage.prototype.run;
  let runs = 0;
  AsyncLocalStorage.prototype.run = function (this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof run>) {
    runs++;
    return run.apply(this, args);
  } as typeof run;
  after(() => {
    AsyncLocalStorage.prototype.run = run;
  });

  /** One unary call through the interceptor; the handler answers what `inboundCall()` saw. */
  async function serve(): Promise<InboundCall | undefined> {
    const interceptor = createInboundCallInterceptor("echo");
    let seen: InboundCall | undefined;
    const next = async () => {
      await Promise.resolve();
      seen = inboundCall();
      return {} as UnaryResponse;
    };
    const header = new Headers({ [callerHeader]: "gateway", [subjectHeader]: "user-1", "connect-timeout-ms": "5000" });
    await interceptor(next)({ header, method: EchoService.method.echo } as unknown as UnaryRequest);
    return seen;
  }

  it("serves calls without an AsyncLocalStorage while nothing can read them", async () => {
    const interceptor = createInboundCallInterceptor("echo");
    const answer = Promise.resolve({} as UnaryResponse);
    const returned = interceptor(() => answer)({ header: new Headers(), method: EchoService.method.echo } as unknown as UnaryRequest);
    assert.equal(returned, answer, "the handler's own promise, untouched");
    assert.equal(runs, 0);
  });

  it("tracks from the moment a client of another function is made, for the calls after it", async () => {
    const registry = { resolve: async () => "http://127.0.0.1:1" };
    createClientFactory({ caller: "echo", registry, owners: { [EchoService.typeName]: "echo" } }).client(EchoService);
    const seen = await serve();
    assert.equal(runs, 1);
    assert.equal(seen?.function, "echo");
    assert.equal(seen?.caller, "gateway");
    assert.equal(seen?.subject, "user-1");
    assert.ok(seen?.deadline !== undefined && seen.deadline > Date.now() + 4_000, "the deadline from connect-timeout-ms");
  });
});
