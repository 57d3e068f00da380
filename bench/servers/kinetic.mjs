// The Kinetic runtime with everything on, serving the echo fixture on one port (HTTP/1.1 + h2c).
// Runs the compiled runtime (shared/dist), as production does.
import { serveFunction } from "@kinetic/runtime";
import { echoFunction } from "@kinetic/runtime/testing";

await serveFunction(echoFunction, { env: { ...process.env, LOG_LEVEL: "warn", PORT: process.env.PORT ?? "0" } });
