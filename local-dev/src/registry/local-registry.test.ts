import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@kinetic/contracts/kinetic/registry/v1/registry_pb.js";
import { localRegistryStrategy } from "@kinetic/runtime";
import { echoFunction, spawnFunction, startFunction, waitFor, type StartedFunction } from "@kinetic/runtime/testing";
import { startLocalRegistry, type LocalRegistry } from "./local-registry.js";

describe("local registry", () => {
  let registry: LocalRegistry;
  let first: StartedFunction;
  let second: StartedFunction;
  before(async () => {
    registry = await startLocalRegistry({ checkIntervalMs: 100, unhealthyAfter: 1, removeAfter: 3 });
    first = await startFunction(echoFunction, { KINETIC_REGISTRY_URL: registry.url });
    second = await startFunction(echoFunction, { KINETIC_REGISTRY_URL: registry.url });
  });
  after(async () => {
    await first.close();
    await second.close();
    await registry.close();
  });

  it("should learn of instances from the functions themselves and hand them out in turn", async () => {
    await waitFor(() => (registry.table.healthyOf("echo").length === 2 ? true : undefined), 5000, "two registered instances");
    const strategy = localRegistryStrategy({ url: registry.url, cacheMs: 0 });
    const picks = new Set([await strategy.resolve("echo"), await strategy.resolve("echo")]);
    assert.deepEqual(picks, new Set([first.url, second.url]));
    assert.equal(await strategy.resolve("nobody"), undefined, "an unknown function falls through to the next strategy");
    const [instance] = registry.table.healthyOf("echo");
    assert.deepEqual(instance?.services, ["kinetic.echo.v1.EchoService"]);
  });

  it("should drop an instance as soon as it starts draining", async () => {
    await second.close();
    assert.deepEqual(
      registry.table.all().map((i) => i.url),
      [first.url],
    );
  });

  it("should stop handing out an instance that died, then forget it", async () => {
    const doomed = await spawnFunction("shared/src/testing/echo-function.ts", { KINETIC_REGISTRY_URL: registry.url });
    await waitFor(() => registry.table.healthyOf("echo").find((i) => i.url === doomed.url), 5000, "the doomed instance registered");
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    await waitFor(() => (registry.table.healthyOf("echo").some((i) => i.url === doomed.url) ? undefined : true), 5000, "marked unhealthy");
    await waitFor(() => (registry.table.all().some((i) => i.url === doomed.url) ? undefined : true), 5000, "removed");
    assert.deepEqual(
      registry.table.healthyOf("echo").map((i) => i.url),
      [first.url],
    );
  });
});

describe("local registry in front of the activator", () => {
  it("should resolve each function to its route, and accept registrations without handing them out", async () => {
    const registry = await startLocalRegistry({ route: (fn) => (fn === "echo" ? "http://127.0.0.1:8081" : undefined) });
    try {
      const client = createClient(RegistryService, createConnectTransport({ baseUrl: registry.url, httpVersion: "1.1" }));
      const { instance } = await client.register({ function: "echo", url: "http://127.0.0.1:40000", services: ["kinetic.echo.v1.EchoService"] });
      assert.equal(instance?.url, "http://127.0.0.1:40000", "the instance is told it registered");
      const strategy = localRegistryStrategy({ url: registry.url, cacheMs: 0 });
      assert.equal(await strategy.resolve("echo"), "http://127.0.0.1:8081", "callers get the activator's port");
      assert.equal(await strategy.resolve("nobody"), undefined, "an unknown function falls through to the next strategy");
      assert.deepEqual(registry.table.all(), [], "nothing registered is handed out or health-checked");
    } finally {
      await registry.close();
    }
  });
});
