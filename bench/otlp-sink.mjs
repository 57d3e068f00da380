// A stand-in OpenTelemetry collector for the tracing-on measurements: answers every OTLP/HTTP
// export with 200 and an empty body, and counts what it received. It runs in the harness, on
// the load core, so what the servers pay for tracing is their own work only.
import { createServer } from "node:http";

/** The environment that turns tracing on in a Kinetic function, exporting to `url`. */
export function tracingEnv(url) {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" };
}

/**
 * Starts the sink on a free port of 127.0.0.1. Resolves `{ url, exports, bytes, close }`;
 * `exports` and `bytes` count the export requests so far and their body sizes.
 */
export async function startOtlpSink() {
  const counts = { exports: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on("data", (chunk) => (counts.bytes += chunk.length));
    req.on("end", () => {
      counts.exports++;
      res.writeHead(200, { "content-type": "application/x-protobuf", "content-length": 0 }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    get exports() {
      return counts.exports;
    },
    get bytes() {
      return counts.bytes;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
