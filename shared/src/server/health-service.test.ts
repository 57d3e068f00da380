import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@kinetic/contracts/grpc/health/v1/health_pb.js";
import { createHealthService } from "./health-service.js";
import { HealthState } from "./health-state.js";

const echo = "kinetic.echo.v1.EchoService";

function useHealth() {
  const state = new HealthState();
  state.set(echo, ServingStatus.SERVING);
  const transport = createRouterTransport((router) => router.service(Health, createHealthService(state)));
  return { state, client: createClient(Health, transport) };
}

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(check());
}

describe("createHealthService", () => {
  it("should check the whole server and a known service", async () => {
    const { client } = useHealth();
    assert.equal((await client.check({})).status, ServingStatus.SERVING);
    assert.equal((await client.check({ service: echo })).status, ServingStatus.SERVING);
  });

  it("should answer NOT_FOUND naming an unknown service", async () => {
    const { client } = useHealth();
    await assert.rejects(client.check({ service: "nope.v1.Nope" }), (err: unknown) => {
      const error = ConnectError.from(err);
      assert.equal(error.code, Code.NotFound);
      assert.match(error.rawMessage, /nope\.v1\.Nope/);
      return true;
    });
  });

  it("should watch the current status, then a change", async () => {
    const { state, client } = useHealth();
    const abort = new AbortController();
    const stream = client.watch({ service: echo }, { signal: abort.signal })[Symbol.asyncIterator]();
    assert.equal((await stream.next()).value?.status, ServingStatus.SERVING);
    state.set(echo, ServingStatus.SERVING);
    state.set(echo, ServingStatus.NOT_SERVING);
    assert.equal((await stream.next()).value?.status, ServingStatus.NOT_SERVING);
    abort.abort();
    await assert.rejects(stream.next(), (err: unknown) => ConnectError.from(err).code === Code.Canceled);
    await eventually(() => state.watcherCount === 0);
  });

  it("should keep watching an unknown service as SERVICE_UNKNOWN until it is set", async () => {
    const { state, client } = useHealth();
    const abort = new AbortController();
    const stream = client.watch({ service: "late.v1.Late" }, { signal: abort.signal })[Symbol.asyncIterator]();
    assert.equal((await stream.next()).value?.status, ServingStatus.SERVICE_UNKNOWN);
    state.set("late.v1.Late", ServingStatus.SERVING);
    assert.equal((await stream.next()).value?.status, ServingStatus.SERVING);
    abort.abort();
    await eventually(() => state.watcherCount === 0);
  });

  it("should list every service with its status", async () => {
    const { state, client } = useHealth();
    state.set("other.v1.Other", ServingStatus.NOT_SERVING);
    const { statuses } = await client.list({});
    assert.deepEqual(
      Object.fromEntries(Object.entries(statuses).map(([name, response]) => [name, response.status])),
      { "": ServingStatus.SERVING, [echo]: ServingStatus.SERVING, "other.v1.Other": ServingStatus.NOT_SERVING },
    );
  });
});
