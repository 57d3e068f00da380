// The Kinetic runtime with everything on, serving the echo fixture on one port (HTTP/1.1 + h2c).
// Runs the compiled runtime (shared/dist), as production does. With KINETIC_BENCH_CPU_PROFILE
// set (`npm run bench -- --only=profile`), SIGUSR2 starts a CPU profile and SIGTERM writes it there.
import { serveFunction } from "@kinetic/runtime";
import { echoFunction } from "@kinetic/runtime/testing";

const profileFile = process.env.KINETIC_BENCH_CPU_PROFILE;
if (profileFile) {
  const { profileOnSignals } = await import("../profile-hook.mjs");
  profileOnSignals(profileFile);
}
await serveFunction(echoFunction, { env: { ...process.env, LOG_LEVEL: "warn", PORT: process.env.PORT ?? "0" } });
