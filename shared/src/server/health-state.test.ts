import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "@kinetic/contracts/grpc/health/v1/health_pb.js";
import { HealthState } from "./health-state.js";

describe("HealthState", () => {
  it("should start with the whole server serving", () => {
    const state = new HealthState();
    assert.equal(state.get(""), ServingStatus.SERVING);
    assert.equal(state.get("kinetic.echo.v1.EchoService"), undefined);
  });

  it("should start with the given statuses", () => {
    const state = new HealthState({ initial: { "": ServingStatus.NOT_SERVING, a: ServingStatus.SERVING } });
    assert.deepEqual([...state.entries()], [["", ServingStatus.NOT_SERVING], ["a", ServingStatus.SERVING]]);
  });

  it("should set every known service with setAll", () => {
    const state = new HealthState();
    state.set("a", ServingStatus.SERVING);
    state.set("b", ServingStatus.SERVING);
    state.setAll(ServingStatus.NOT_SERVING);
    assert.deepEqual([...state.entries().values()], [ServingStatus.NOT_SERVING, ServingStatus.NOT_SERVING, ServingStatus.NOT_SERVING]);
  });

  it("should return a snapshot from entries", () => {
    const state = new HealthState();
    const snapshot = state.entries();
    state.set("a", ServingStatus.SERVING);
    assert.equal(snapshot.has("a"), false);
  });

  it("should watch the current status first, then each change without repeats", async () => {
    const state = new HealthState();
    const abort = new AbortController();
    const watch = state.watch("", abort.signal);
    assert.deepEqual(await watch.next(), { done: false, value: ServingStatus.SERVING });
    state.set("", ServingStatus.NOT_SERVING);
    state.set("", ServingStatus.NOT_SERVING);
    state.set("", ServingStatus.SERVING);
    assert.deepEqual(await watch.next(), { done: false, value: ServingStatus.NOT_SERVING });
    assert.deepEqual(await watch.next(), { done: false, value: ServingStatus.SERVING });
    abort.abort();
    assert.deepEqual(await watch.next(), { done: true, value: undefined });
  });

  it("should watch an unknown service as SERVICE_UNKNOWN until it is set", async () => {
    const state = new HealthState();
    const abort = new AbortController();
    const watch = state.watch("late", abort.signal);
    assert.equal((await watch.next()).value, ServingStatus.SERVICE_UNKNOWN);
    const next = watch.next();
    state.set("late", ServingStatus.SERVING);
    assert.equal((await next).value, ServingStatus.SERVING);
    abort.abort();
  });

  it("should end a waiting watch and drop its listener when the signal aborts", async () => {
    const state = new HealthState();
    const abort = new AbortController();
    const watch = state.watch("", abort.signal);
    await watch.next();
    const pending = watch.next();
    assert.equal(state.watcherCount, 1);
    abort.abort();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(state.watcherCount, 0);
  });

  it("should drop the listener of a watch abandoned with return", async () => {
    const state = new HealthState();
    const watch = state.watch("a", new AbortController().signal);
    await watch.next();
    assert.equal(state.watcherCount, 1);
    await watch.return();
    assert.equal(state.watcherCount, 0);
  });

  it("should drop the listener when aborted while the consumer is not reading", async () => {
    const state = new HealthState();
    const abort = new AbortController();
    const watch = state.watch("", abort.signal);
    await watch.next();
    state.set("", ServingStatus.NOT_SERVING);
    abort.abort();
    assert.equal(state.watcherCount, 0);
    assert.equal((await watch.next()).done, true);
  });

  it("should yield nothing for an already aborted signal", async () => {
    const state = new HealthState();
    const watch = state.watch("", AbortSignal.abort());
    assert.equal((await watch.next()).done, true);
    assert.equal(state.watcherCount, 0);
  });
});
