import * as http from "node:http";
import { Code, ConnectError } from "@connectrpc/connect";
import type { FunctionPool, Lease } from "./create-function-pool.js";
import { errorResponse, type ErrorResponse } from "./error-response.js";
import { instanceLossMessage } from "./instance-loss-message.js";
import { requestHeadersForInstance, responseHeadersForClient } from "./proxy-headers.js";
import { requestProtocol } from "./request-protocol.js";
import { timeoutFromHeaders } from "./timeout-from-headers.js";

/** Answers a request the activator could not hand on. */
export function respondHttp1(res: http.ServerResponse, response: ErrorResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, response.headers).end(response.body);
}

const refused = (err: unknown) => (err as { code?: unknown }).code === "ECONNREFUSED";

/**
 * Sends one request to an instance over a kept-alive HTTP/1.1 connection and streams the
 * answer back. The body is only read once the connection to the instance is up, so an
 * instance that refuses (it began draining) costs nothing: another one is tried.
 */
function forwardOnce(req: http.IncomingMessage, res: http.ServerResponse, lease: Lease, pool: FunctionPool): Promise<"done" | "refused"> {
  const { instance } = lease;
  const url = new URL(instance.url!);
  return new Promise((resolve) => {
    let sent = false;
    let failed = false;
    const upstream = http.request({
      host: url.hostname,
      port: url.port,
      method: req.method,
      path: req.url,
      headers: requestHeadersForInstance(req.headers, req.socket.remoteAddress, false),
      agent: instance.agent,
      setHost: false,
    });
    const finish = (outcome: "done" | "refused") => {
      lease.release();
      resolve(outcome);
    };
    const lost = (detail: string) => {
      if (failed) return;
      failed = true;
      pool.lost(instance);
      void instanceLossMessage(pool.fn.name, instance, detail).then((message) => {
        pool.recordFailure(message);
        if (res.headersSent) res.destroy();
        else respondHttp1(res, errorResponse(requestProtocol(req.headers["content-type"], req.method ?? "GET", req.url ?? "/"), Code.Unavailable, message, { contentType: req.headers["content-type"], httpStatus: 502 }));
      });
    };
    const onClientGone = () => {
      if (!res.writableFinished) upstream.destroy();
    };
    res.once("close", onClientGone);
    upstream.once("socket", (socket) => {
      const send = () => {
        sent = true;
        req.pipe(upstream);
      };
      if (socket.connecting) socket.once("connect", send);
      else send();
    });
    upstream.once("response", (answer) => {
      lease.answered();
      res.writeHead(answer.statusCode ?? 502, responseHeadersForClient(answer.headers));
      answer.once("end", () => {
        if (answer.rawTrailers.length > 0) res.addTrailers(responseHeadersForClient(answer.trailers));
      });
      answer.pipe(res);
      answer.once("close", () => {
        if (!answer.complete && !res.destroyed) lost("the response was cut off");
        finish("done");
      });
    });
    upstream.once("error", (err: NodeJS.ErrnoException) => {
      if (res.destroyed && !res.writableFinished) return finish("done"); // the client left first
      if (!sent && refused(err)) {
        pool.retire(instance); // it began draining: before the lease goes back, so nothing queued follows
        return finish("refused");
      }
      lost(err.code ?? err.message);
      finish("done");
    });
  });
}

/**
 * Proxies one HTTP/1.1 request to an instance of `pool`: it waits in the pool's queue while
 * none can take it, goes to the least busy one, and passes headers (minus hop-by-hop ones),
 * body and trailers through as streams. An instance that dies under it fails it with
 * `unavailable` in the request's protocol (502 for plain HTTP).
 */
export async function proxyHttp1Request(req: http.IncomingMessage, res: http.ServerResponse, pool: FunctionPool): Promise<void> {
  const contentType = req.headers["content-type"];
  const protocol = requestProtocol(contentType, req.method ?? "GET", req.url ?? "/");
  const clientGone = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) clientGone.abort();
  });
  for (let attempt = 1; attempt <= 3; attempt++) {
    let lease: Lease;
    try {
      lease = await pool.acquire(clientGone.signal, timeoutFromHeaders(req.headers));
    } catch (err) {
      const e = ConnectError.from(err);
      return respondHttp1(res, errorResponse(protocol, e.code, e.rawMessage, { contentType }));
    }
    if (clientGone.signal.aborted) return lease.release(); // it left while the instance was found
    if ((await forwardOnce(req, res, lease, pool)) === "done") return;
  }
  respondHttp1(res, errorResponse(protocol, Code.Unavailable, `instances of ${pool.fn.name} refuse connections`, { contentType }));
}
