import type * as http from "node:http";
import type * as http2 from "node:http2";

/** Answers a request that is a probe (true), or leaves it untouched (false). */
export type ProbeResponder = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => boolean;

/** The paths Kubernetes probes, liveness and readiness. */
export const probePaths: ReadonlySet<string> = new Set(["/healthz", "/readyz"]);

const json = (status: string) => Buffer.from(JSON.stringify({ status }));
const answers = { ok: json("ok"), ready: json("ready"), notReady: json("not ready") };

/**
 * Answers Kubernetes' probes, `GET` or `HEAD` `/healthz` and `/readyz` (any query), from Node
 * itself rather than through the function's Hono app (`createHttpApp`): `/healthz` 200
 * `{"status":"ok"}`; `/readyz` 200 `{"status":"ready"}`, or 503 `{"status":"not ready"}` while
 * `isReady()` is false (before migrations ran and dependencies connected, and while draining).
 * Every other request, other methods on these paths included, is left to the app. The reason
 * is the cold start: the first request a new Knative instance gets is the queue-proxy's
 * readiness probe, and answering it through Hono's Node adapter would load that adapter and
 * undici (Node's `fetch`, `Headers`, `Request`, `Response`), 25–40 ms, before the request that
 * woke the function up. It also keeps the liveness probe cheap.
 *
 * @example
 * const probes = createProbeResponder(() => ready);
 * const handler = (req, res) => probes(req, res) || app(req, res);
 */
export function createProbeResponder(isReady: () => boolean): ProbeResponder {
  return function answerProbe(req, res) {
    const method = req.method;
    if (method !== "GET" && method !== "HEAD") return false;
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const path = query < 0 ? url : url.slice(0, query);
    let status: number;
    let body: Buffer;
    if (path === "/healthz") [status, body] = [200, answers.ok];
    else if (path === "/readyz") [status, body] = isReady() ? [200, answers.ready] : [503, answers.notReady];
    else return false;
    res.writeHead(status, { "content-type": "application/json", "content-length": String(body.byteLength) });
    if (method === "HEAD") res.end();
    else res.end(body);
    return true;
  };
}
