/**
 * Measures unary calls between two functions over each client protocol (gRPC and Connect
 * binary, both on pooled HTTP/2), through the full client stack. Used to choose the default
 * protocol of `createClientFactory`; prints JSON. Run:
 *   node --conditions=kinetic-source --import tsx scripts/measure-client-protocol.ts
 */
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { createClientFactory, createRegistry } from "@kinetic/runtime";
import { spawnFunction } from "@kinetic/runtime/testing";

const calls = Number(process.env["CALLS"] ?? 20_000);
const concurrency = Number(process.env["CONCURRENCY"] ?? 32);
// The server runs in its own process, as a function does; its request log stays on.
const server = await spawnFunction("shared/src/testing/echo-function.ts");
const results: Record<string, unknown> = {};
for (const protocol of ["grpc", "connect", "grpc", "connect"] as const) {
  const clients = createClientFactory({
    protocol,
    owners: { [EchoService.typeName]: "echo" },
    registry: createRegistry([{ name: "fixed", resolve: async () => server.url }]),
  });
  const echo = clients.client(EchoService);
  for (let i = 0; i < 2000; i++) await echo.echo({ message: "warm" });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < calls) {
        const t = performance.now();
        await echo.echo({ message: "hello" });
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  results[protocol] = {
    calls_per_second: Math.round(calls / seconds),
    p50_ms: +latencies[Math.floor(latencies.length * 0.5)]!.toFixed(3),
    p99_ms: +latencies[Math.floor(latencies.length * 0.99)]!.toFixed(3),
  };
  clients.close();
}
server.child.kill("SIGTERM");
await server.exited;
console.log(JSON.stringify({ calls, concurrency, node: process.version, results }, null, 2));
