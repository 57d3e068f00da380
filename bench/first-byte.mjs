// One request on a fresh connection, timed to the first byte of its answer: what a cold start
// costs the request that triggers it.
import { request } from "node:http";

/**
 * POSTs `body` with `headers` to 127.0.0.1:`port``path` over a new HTTP/1.1 connection. Resolves
 * `{ firstByteMs, status, body }`, `firstByteMs` counted from `from` (a `performance.now()`;
 * default when the request is made) to the first byte the socket received; rejects when the
 * connection fails or nothing complete arrives within `timeoutMs`.
 */
export function timeToFirstByte({ port, path, headers, body, from = performance.now(), timeoutMs = 120_000 }) {
  return new Promise((resolve, reject) => {
    let firstByteAt;
    const req = request({ host: "127.0.0.1", port, path, method: "POST", headers: { ...headers, "content-length": body.length }, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => resolve({ firstByteMs: firstByteAt - from, status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on("socket", (socket) => socket.once("data", () => (firstByteAt ??= performance.now())));
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
