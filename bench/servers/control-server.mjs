// The control port of the events benchmark's plain processes (the raw kafkajs producer and
// consumer, the event dispatcher): JSON POST routes on PORT, so the harness drives them as it
// drives the Kinetic functions' own routes.
import { createServer } from "node:http";

/**
 * Serves `routes` ({ "/path": async (body) => answer }) on 127.0.0.1:PORT: POST with a JSON
 * body, answered 200 with the JSON answer, 404 for another path, 500 with the error's message.
 * `POST /ready` answers {} (the harness's readiness probe). Resolves the listening server.
 */
export function serveControl(routes) {
  const all = { "/ready": async () => ({}), ...routes };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const route = req.method === "POST" ? all[req.url] : undefined;
    const answer = (status, value) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (route === undefined) return answer(404, { message: `no route for ${req.method} ${req.url}` });
    try {
      const text = Buffer.concat(chunks).toString("utf8");
      answer(200, await route(text === "" ? {} : JSON.parse(text)));
    } catch (error) {
      answer(500, { message: error instanceof Error ? error.message : String(error) });
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => resolve(server));
  });
}

/** Runs `stop` once on SIGTERM or SIGINT, then exits. */
export function onSignal(stop) {
  let stopping = false;
  const handler = () => {
    if (stopping) process.exit(1);
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
