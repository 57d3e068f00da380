import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { rejectsWith, waitFor } from "@kinetic/runtime/testing";
import { isProcessAlive } from "../testing/is-process-alive.js";
import { describeActivatorEvent, type ActivatorEvent } from "./activator-event.js";
import type { FunctionStatus } from "./activator-status.js";
import { loadActivatorFunction } from "./load-activator-function.js";
import { startActivator, type ActivatorOptions } from "./start-activator.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const testdata = (name: string) => loadActivatorFunction(root, `local-dev/src/activator/testdata/${name}.ts`);

/** An activator of the test functions, and what it reported. */
async function useActivator(modules: string[], options: Partial<ActivatorOptions> = {}) {
  const events: ActivatorEvent[] = [];
  const activator = await startActivator({ functions: await Promise.all(modules.map(testdata)), port: 0, basePort: 0, onEvent: (e) => events.push(e), ...options });
  const statusOf = (name: string): FunctionStatus => activator.status().functions.find((f) => f.name === name)!;
  const client = (name: string) => createClient(EchoService, createConnectTransport({ baseUrl: activator.urlOf(name)!, httpVersion: "1.1" }));
  const lines = (name: string) => events.filter((e) => e.fn === name).map(describeActivatorEvent);
  const close = async () => {
    const pids = activator.status().functions.flatMap((f) => f.instances.map((i) => i.pid));
    await activator.close();
    for (const pid of pids) assert.equal(isProcessAlive(pid), false, `instance ${pid} is gone`);
  };
  return { activator, events, statusOf, client, lines, close };
}

type Fixture = Awaited<ReturnType<typeof useActivator>>;
let fixture: Fixture;
let queueing: Fixture;
let brokenCall: Promise<unknown>;
// Cold starts take seconds on a loaded machine: both activators and the broken function's start begin at once.
before(async () => {
  [fixture, queueing] = await Promise.all([
    useActivator(["scaled-echo-function", "serial-echo-function", "broken-function"], { idleSeconds: 1 }),
    useActivator(["kept-warm-echo-function"], { idleSeconds: 1, maxQueued: 2, queueTimeoutMs: 2000 }),
  ]);
  brokenCall = fixture.client("broken").echo({ message: "anyone?" }).then(
    () => assert.fail("a broken function answered"),
    (err: unknown) => err,
  );
});
after(() => Promise.all([fixture.close(), queueing.close()]));

describe("function pool: scaling through the activator", () => {

  it("should scale out past the concurrency target under a burst, spread the requests, then scale to zero, failing none", async () => {
    const { client, statusOf, lines } = fixture;
    const scaled = client("scaled-echo");
    const calls: Promise<unknown>[] = [];
    const pids = new Set<number>();
    let busyAtOnce = 0;
    let mostInstances = 0;
    // ~10 requests of 1 s in flight, five times the target of 2, until two instances serve at once.
    const until = Date.now() + 30_000;
    while (Date.now() < until && !(busyAtOnce >= 2 && calls.length >= 20)) {
      calls.push(scaled.echo({ message: "burst", delayMs: 1000 }));
      const { instances } = statusOf("scaled-echo");
      for (const i of instances) pids.add(i.pid);
      mostInstances = Math.max(mostInstances, instances.length);
      busyAtOnce = Math.max(busyAtOnce, instances.filter((i) => i.state === "ready" && i.inFlight > 0).length);
      await sleep(100);
    }
    const failed = (await Promise.allSettled(calls)).filter((r) => r.status === "rejected");
    assert.deepEqual(failed, [], "no request failed");
    assert.ok(busyAtOnce >= 2, `two instances or more served at once (${busyAtOnce})`);
    assert.ok(mostInstances <= 3, `never more than maxScale (${mostInstances})`);
    assert.ok(lines("scaled-echo").some((l) => /^scaled-echo scaled [12] → [23] \(cold start \d+ ms\)$/.test(l)), lines("scaled-echo").join("\n"));
    await waitFor(() => (statusOf("scaled-echo").instances.length === 0 ? true : undefined), 30_000, "scale to zero");
    for (const pid of pids) assert.equal(isProcessAlive(pid), false, `instance ${pid} stopped`);
    assert.ok(lines("scaled-echo").includes("scaled-echo scaled 1 → 0 (idle 1 s)"), lines("scaled-echo").join("\n"));
    assert.equal(statusOf("scaled-echo").errors, 0);
  });

  it("should let an instance draining by itself finish its requests, and send new ones to another", async () => {
    const { statusOf, lines } = fixture;
    const grpc = createClient(EchoService, createGrpcTransport({ baseUrl: fixture.activator.urlOf("scaled-echo")! }));
    const slow = grpc.echo({ message: "finishes", delayMs: 3000 });
    const draining = await waitFor(() => statusOf("scaled-echo").instances.find((i) => i.inFlight === 1), 30_000, "the slow request in flight");
    process.kill(draining.pid, "SIGTERM"); // as a node drain would: its GOAWAY must not cost a request
    await waitFor(() => (statusOf("scaled-echo").instances.find((i) => i.id === draining.id)?.state === "ready" ? undefined : true), 5000, "the instance out of routing");
    assert.equal((await grpc.echo({ message: "elsewhere" })).message, "elsewhere");
    assert.equal((await slow).message, "finishes");
    await waitFor(() => (isProcessAlive(draining.pid) ? undefined : true), 10_000, "the drained instance to exit");
    // Seen as a GOAWAY or a refused connection, or only as its exit when it drained faster than that.
    const out = new RegExp(`^scaled-echo scaled 1 → 0 \\(instance ${draining.id}(, pid ${draining.pid},)? (is draining|exited after draining)\\)$`);
    assert.ok(lines("scaled-echo").some((l) => out.test(l)), lines("scaled-echo").join("\n"));
    assert.equal(statusOf("scaled-echo").errors, 0);
  });

  it("should stop an instance idle for the window, and start a new one on the next request", async () => {
    const { client, statusOf, lines } = fixture;
    const serial = client("serial-echo");
    await serial.echo({ message: "first" });
    const [first] = statusOf("serial-echo").instances;
    await waitFor(() => (statusOf("serial-echo").instances.length === 0 ? true : undefined), 15_000, "the idle instance to stop");
    assert.equal(isProcessAlive(first!.pid), false, "its process is gone");
    assert.deepEqual(lines("serial-echo").slice(-1), ["serial-echo scaled 1 → 0 (idle 1 s)"]);
    assert.equal((await serial.echo({ message: "again" })).message, "again");
    const [second] = statusOf("serial-echo").instances;
    assert.notEqual(second!.pid, first!.pid);
    assert.equal(isProcessAlive(second!.pid), true);
  });

  it("should fail only the request in flight on an instance killed with -9, keep the queued one, and start a new instance", async () => {
    const { client, statusOf, lines } = fixture;
    const grpc = createClient(EchoService, createGrpcTransport({ baseUrl: fixture.activator.urlOf("serial-echo")! }));
    const doomed = grpc.echoServerStream({ message: "doomed", repeat: 1000, intervalMs: 50 })[Symbol.asyncIterator]();
    assert.equal((await doomed.next()).value?.message, "doomed", "the instance is serving the stream");
    const queued = client("serial-echo").echo({ message: "queued" });
    await waitFor(() => (statusOf("serial-echo").queued === 1 ? true : undefined), 5000, "the second request queued (containerConcurrency 1)");
    const { pid, id } = statusOf("serial-echo").instances.find((i) => i.inFlight === 1)!;
    process.kill(pid, "SIGKILL");
    const died = new RegExp(`^instance ${id} of serial-echo \\(pid ${pid}\\) died mid-request \\(SIGKILL\\)`);
    await assert.rejects(async () => {
      for (;;) if ((await doomed.next()).done) return;
    }, rejectsWith(Code.Unavailable, died));
    assert.equal((await queued).message, "queued", "the queued request went to the new instance");
    const [replacement] = statusOf("serial-echo").instances;
    assert.notEqual(replacement!.pid, pid);
    assert.ok(lines("serial-echo").includes(`serial-echo scaled 1 → 0 (instance ${id}, pid ${pid}, died: SIGKILL)`), lines("serial-echo").join("\n"));
    assert.equal(statusOf("serial-echo").errors, 2, "the failed request and the death");
  });

  it("should fail the requests waiting for a function that cannot start, saying why", async () => {
    const { statusOf, lines } = fixture;
    await assert.rejects(Promise.reject(await brokenCall), rejectsWith(Code.Unavailable, /^function broken failed to start: exited \(code 1\) before it was ready: .*BROKEN_SETTING must be set/));
    assert.match(lines("broken").at(-1)!, /^broken instance 1 failed to start: exited \(code 1\)/);
    assert.deepEqual(statusOf("broken").instances, []);
  });
});

describe("function pool: minScale and the activator's queue", () => {

  it("should start minScale instances with the platform and keep them however idle", async () => {
    const { statusOf, lines } = queueing;
    await waitFor(() => (statusOf("kept-warm-echo").ready === 1 ? true : undefined), 30_000, "the minScale instance");
    const [warm] = statusOf("kept-warm-echo").instances;
    await sleep(2200); // more than twice the idle window
    assert.deepEqual(
      statusOf("kept-warm-echo").instances.map((i) => [i.pid, i.state]),
      [[warm!.pid, "ready"]],
    );
    assert.deepEqual(lines("kept-warm-echo").slice(1), [lines("kept-warm-echo")[1]!], "scaled up once, never down");
  });

  it("should refuse a request beyond the queue at once, and end a wait at the bound or at the request's own deadline", async () => {
    const { client, statusOf, activator } = queueing;
    const warm = client("kept-warm-echo");
    const slow = warm.echo({ message: "slow", delayMs: 3500 });
    await waitFor(() => (statusOf("kept-warm-echo").inFlight === 1 ? true : undefined), 5000, "the slow request in flight");
    const waiting = warm.echo({ message: "waits" });
    const withDeadline = fetch(`${activator.urlOf("kept-warm-echo")}/kinetic.echo.v1.EchoService/Echo`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-timeout-ms": "1000" },
      body: "{}",
    });
    await waitFor(() => (statusOf("kept-warm-echo").queued === 2 ? true : undefined), 900, "two requests queued");
    await assert.rejects(warm.echo({ message: "overflow" }), rejectsWith(Code.ResourceExhausted, /^kept-warm-echo already has 2 requests waiting for an instance/));
    const expired = await withDeadline;
    assert.equal(expired.status, 504);
    assert.deepEqual(await expired.json(), { code: "deadline_exceeded", message: "the request's deadline (1000 ms) passed while it waited for an instance of kept-warm-echo" });
    await assert.rejects(waiting, rejectsWith(Code.Unavailable, /^no instance of kept-warm-echo could take the request within 2 s$/));
    assert.equal((await slow).message, "slow", "the request in flight is untouched");
  });
});
