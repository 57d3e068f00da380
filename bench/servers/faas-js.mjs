// faas-js-runtime (Knative Functions' Node runtime, Fastify inside) with an HTTP handler that
// echoes the JSON body.
import faas from "faas-js-runtime";

const handle = (_context, body) => ({ message: body.message });

await faas.start(handle, { port: Number(process.env.PORT ?? 8080), logLevel: "warn" });
