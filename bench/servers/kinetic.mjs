// The Kinetic runtime with everything on (validation, request log, tracing hook, health,
// reflection), serving on one port (HTTP/1.1 + h2c) the echo every server of the throughput
// table answers: the message back and nothing else, like `echo-routes.mjs` and `grpc-js.mjs`.
// (The conformance fixture, `echoFunction`, also copies a request header and sets a trailer:
// more work than the others do.) Runs the compiled runtime (shared/dist), as production does.
// With KINETIC_BENCH_CPU_PROFILE set (`npm run bench -- --only=profile`), SIGUSR2 starts a CPU
// profile and SIGTERM writes it there.
import { defineFunction, implement, serveFunction } from "@kinetic/runtime";
import { echoFunction } from "@kinetic/runtime/testing";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";

const profileFile = process.env.KINETIC_BENCH_CPU_PROFILE;
if (profileFile) {
  const { profileOnSignals } = await import("../profile-hook.mjs");
  profileOnSignals(profileFile);
}

/** The fixture, its unary echo answering as the other servers' do; its streams as they are. */
const benchEcho = defineFunction({
  name: echoFunction.name,
  description: "the echo of the throughput table: the message back",
  services: [EchoService],
  async setup(ctx) {
    const [fixture] = (await echoFunction.setup(ctx)).services;
    return { services: [implement(EchoService, { ...fixture.implementation, echo: (req) => ({ message: req.message }) })] };
  },
});

await serveFunction(benchEcho, { env: { ...process.env, LOG_LEVEL: "warn", PORT: process.env.PORT ?? "0" } });
