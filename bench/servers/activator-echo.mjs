// The echo fixture as the emulator's benchmarks declare it: one instance at most (maxScale 1),
// so the activator and a direct client load exactly the same instance, and scale to zero
// (minScale 0), so each request after the idle window is a cold start.
import { defineFunction } from "@kinetic/runtime";
import { echoFunction } from "@kinetic/runtime/testing";

export default defineFunction({
  ...echoFunction,
  name: "bench-echo",
  description: "echoes requests back; the emulator's benchmarks",
  scaling: { minScale: 0, maxScale: 1 },
});
