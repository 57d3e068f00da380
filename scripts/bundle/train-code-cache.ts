import { request } from "node:http";
import { connect } from "node:http2";
import { defineFunction, serveFunction } from "@kinetic/runtime";

/**
 * Runs the runtime's request path once in-process, so that the V8 code cache the loader writes
 * next (`load-bundle.ts`) also holds the bytecode of what a function's first requests run, not
 * only of its start. A function with no services and no resources is served on 127.0.0.1:0 —
 * no database, Redis, Kafka, registry or OTLP endpoint is configured, so nothing leaves the
 * process — and asked `/readyz` (Knative's readiness probe), then the standard health check
 * over Connect JSON on HTTP/1.1 and over gRPC on h2c; then it is closed. What is cached is code,
 * never state: the function served later starts from scratch. Part of the bundle.
 */
export async function trainCodeCache(): Promise<void> {
  const idle = defineFunction({ name: "code-cache", description: "warms the code cache", services: [], setup: () => ({ services: [] }) });
  const running = await serveFunction(idle, { env: { PORT: "0", LOG_LEVEL: "error" }, host: "127.0.0.1", write: () => undefined });
  try {
    await http1(running.port, "GET", "/readyz");
    await http1(running.port, "POST", "/grpc.health.v1.Health/Check", "{}");
    await grpcHealthCheck(running.url);
  } finally {
    await running.close();
  }
}

/** Internal: one HTTP/1.1 request; rejects unless it is answered 200. */
function http1(port: number, method: string, path: string, body?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { "content-type": "application/json" };
    const req = request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      res.resume().on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`))));
    });
    req.on("error", reject).end(body);
  });
}

/** Internal: grpc.health.v1.Health/Check over h2c with an empty request; rejects unless grpc-status is 0. */
function grpcHealthCheck(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = connect(url).on("error", reject);
    const stream = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc", te: "trailers" });
    stream.on("trailers", (trailers) => {
      session.close();
      if (trailers["grpc-status"] === "0") resolve();
      else reject(new Error(`grpc health check: grpc-status ${String(trailers["grpc-status"])}`));
    });
    stream.on("error", reject).resume();
    stream.end(Buffer.from([0, 0, 0, 0, 0])); // one uncompressed, empty message
  });
}
