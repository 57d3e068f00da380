// Sends one request over a fresh connection and checks the answer: readiness, cold start and
// the correctness check before every load run.
import { request } from "node:http";
import { connect } from "node:http2";

function sendHttp1(protocol, port, path) {
  return new Promise((resolve, reject) => {
    const headers = { ...protocol.headers, "content-length": protocol.body.length };
    const req = request({ host: "127.0.0.1", port, path, method: "POST", headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, trailers: res.trailers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(protocol.body);
  });
}

function sendH2c(protocol, port, path) {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    const fail = (error) => {
      session.destroy();
      reject(error);
    };
    session.on("error", fail);
    const stream = session.request({ ":method": "POST", ":path": path, ...protocol.headers });
    let headers = {};
    let trailers = {};
    const chunks = [];
    stream.on("response", (h) => (headers = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("error", fail);
    stream.on("end", () => {
      session.close();
      resolve({ status: headers[":status"], headers, trailers, body: Buffer.concat(chunks) });
    });
    stream.end(protocol.body);
  });
}

/** Sends `protocol`'s request to 127.0.0.1:`port``path`; resolves with the answer, unchecked. */
export function sendOnce(protocol, port, path) {
  return protocol.tool === "h2load" ? sendH2c(protocol, port, path) : sendHttp1(protocol, port, path);
}

/**
 * Retries `sendOnce` back to back until an answer passes `protocol.check`, the deadline passes
 * (rejects with the last failure) or `aborted()` says to stop.
 */
export async function waitForEcho(protocol, port, path, { timeoutMs, aborted }) {
  const deadline = performance.now() + timeoutMs;
  let lastError = new Error("no attempt made");
  while (performance.now() < deadline && !aborted()) {
    try {
      protocol.check(await sendOnce(protocol, port, path));
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  throw lastError;
}
