import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { AddressInfo } from "node:net";

/** A request handler for both HTTP versions (node:http2's compatibility API mirrors node:http). */
export type NodeHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/**
 * Takes an HTTP/2 stream as it arrives, before node's compatibility API wraps it in a request
 * and a response (true), or leaves it to `handler` (false). For hot paths that answer on the
 * stream itself. The server listens for a taken stream's "error", so that a client's reset with
 * an error code never ends the process; the handler learns of it on "close" (`stream.errored`).
 */
export type StreamHandler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => boolean;

export interface OnePortServerOptions {
  /** Serves every request, whatever its HTTP version, that `streamHandler` does not take. */
  handler: NodeHandler;
  /** Offered each HTTP/2 stream first; the streams it takes count as in flight until they close. Default none. */
  streamHandler?: StreamHandler;
  /** A new connection must send its first bytes, and an HTTP/1.1 request its headers, within this. Default 10000. */
  headersTimeoutMs?: number;
  /**
   * A connection with no request in flight is closed after this long (an HTTP/2 one by a sweep,
   * within a quarter of it more, 5 s at most). Default 65000.
   */
  idleTimeoutMs?: number;
  /** An HTTP/1.1 request must have arrived whole (headers and body) within this. Default 60000. */
  requestTimeoutMs?: number;
}

/** What `drain` reports. */
export interface DrainResult {
  /** True when every in-flight request finished before the bound. */
  readonly completed: boolean;
  /** Requests still running when the bound was reached (they were cut off). */
  readonly abandoned: number;
}

/** One cleartext port for HTTP/1.1 and HTTP/2 with prior knowledge (h2c), as Knative's `h2c` port expects. */
export interface OnePortServer {
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Requests being served right now. */
  readonly inFlight: number;
  /**
   * Stops accepting connections, lets in-flight requests and streams finish within `timeoutMs`,
   * then closes every connection. `beforeForce` runs when the bound is reached, to let handlers
   * wrap up (it aborts their signals), one second before sockets are destroyed.
   */
  drain(timeoutMs: number, beforeForce?: () => void): Promise<DrainResult>;
}

const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** The "error" listener of the streams a `StreamHandler` takes (see where it is added). */
function ignoreStreamError(): void {}

/**
 * Creates the one-port server. `http2.createServer({ allowHTTP1 })` only offers HTTP/1.1 over
 * TLS (ALPN), so this peeks at each connection's first bytes: the HTTP/2 connection preface
 * goes to an http2 server, anything else to an http1 server. Neither of them listens itself.
 */
export function createOnePortServer({
  handler,
  streamHandler,
  headersTimeoutMs = 10_000,
  idleTimeoutMs = 65_000,
  requestTimeoutMs = 60_000,
}: OnePortServerOptions): OnePortServer {
  let inFlight = 0;
  let draining = false;
  let onIdle: (() => void) | undefined;
  const activeBySocket = new Map<net.Socket, number>();
  /** Open sessions, with the streams each has open and since when it has had none. */
  const sessions = new Map<http2.Http2Session, { open: number; idleSince: number }>();
  const h2Sockets = new WeakSet<net.Socket>();

  const track: NodeHandler = function trackInFlight(req, res) {
    const socket = req.socket as net.Socket;
    inFlight++;
    activeBySocket.set(socket, (activeBySocket.get(socket) ?? 0) + 1);
    if (draining && res instanceof http.ServerResponse) res.shouldKeepAlive = false;
    let done = false;
    // "close" comes once per response (and per stream below): `on` spares `once`'s wrapper.
    res.on("close", () => {
      if (done) return;
      done = true;
      inFlight--;
      const left = (activeBySocket.get(socket) ?? 1) - 1;
      activeBySocket.set(socket, left);
      if (draining && left === 0 && !(res instanceof http2.Http2ServerResponse)) socket.end();
      if (inFlight === 0) onIdle?.();
    });
    handler(req, res);
  };

  const h1 = http.createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.max(requestTimeoutMs, headersTimeoutMs),
      keepAliveTimeout: idleTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
    },
    track,
  );
  // A never-listened http.Server only enforces headersTimeout once its connection tracking
  // starts, which Node does on "listening".
  h1.emit("listening");
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000 } });
  // Idle means no stream open, so a quiet server stream (a tail, a watch) is not idle. Node's
  // own `session.setTimeout` re-arms a timer on every frame, a measurable share of a small call;
  // instead, each session's open streams are counted (one "close" listener per stream serves
  // this count and the in-flight one), and a sweep closes the sessions that have had none open
  // for `idleTimeoutMs` (so within a quarter more).
  const sweepEveryMs = Math.max(10, Math.min(idleTimeoutMs / 4, 5000));
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = performance.now();
    for (const [session, state] of sessions) if (state.open === 0 && now - state.idleSince >= idleTimeoutMs) session.close();
  };
  h2.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    // Undefined when the stream was already destroyed (a client's reset in the same read).
    const session = stream.session;
    const state = session && sessions.get(session);
    if (state) state.open++;
    const taken = streamHandler?.(stream, headers) === true;
    if (taken) {
      inFlight++;
      // A client's RST_STREAM with an error code destroys the stream with that error: without a
      // listener node throws it and the process ends. The handler sees it on "close" (`errored`).
      stream.on("error", ignoreStreamError);
    }
    stream.on("close", () => {
      if (state && --state.open === 0) state.idleSince = performance.now();
      if (!taken) return;
      inFlight--;
      if (inFlight === 0) onIdle?.();
    });
    if (!taken) serveCompatible(stream, headers, rawHeaders, track);
  });
  h2.on("session", (session: http2.Http2Session) => {
    sessions.set(session, { open: 0, idleSince: performance.now() });
    if (sweeper === undefined) sweeper = setInterval(sweep, sweepEveryMs).unref();
    session.once("close", () => {
      sessions.delete(session);
      if (sessions.size === 0) {
        clearInterval(sweeper);
        sweeper = undefined;
      }
    });
  });

  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      activeBySocket.delete(socket);
    });
    socket.on("error", () => socket.destroy());
    // A connection that says nothing is cut off.
    socket.setTimeout(headersTimeoutMs, () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, preface.length);
      const isH2 = head.subarray(0, n).equals(preface.subarray(0, n));
      if (isH2 && head.length < preface.length) return; // wait for the rest of the preface
      socket.off("data", onData);
      socket.pause();
      socket.setTimeout(0);
      socket.unshift(head);
      if (draining) return void socket.destroy();
      if (isH2) {
        h2Sockets.add(socket);
        h2.emit("connection", socket); // http2 reads the socket itself: never resume it
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  });

  return {
    get inFlight() {
      return inFlight;
    },
    listen(port, host = "0.0.0.0") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async drain(timeoutMs, beforeForce) {
      draining = true;
      server.close();
      for (const session of sessions.keys()) session.close(); // GOAWAY; running streams go on
      for (const socket of sockets) if (!activeBySocket.get(socket) && !h2Sockets.has(socket)) socket.end();
      h1.closeIdleConnections();
      const completed = await new Promise<boolean>((resolve) => {
        if (inFlight === 0) return resolve(true);
        const timer = setTimeout(() => resolve(false), timeoutMs);
        onIdle = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      const abandoned = inFlight;
      if (!completed) {
        beforeForce?.();
        await new Promise((r) => setTimeout(r, Math.min(1000, timeoutMs)));
      }
      h1.close();
      for (const session of sessions.keys()) session.destroy();
      for (const socket of sockets) socket.destroy();
      return { completed, abandoned };
    },
  };
}

/**
 * What node's http2 server does with a stream when it has a request listener (`onServerStream`
 * in node's compatibility layer, v20): a request and a response around the stream, CONNECT
 * refused with 405 (nothing here serves it), `Expect: 100-continue` answered with 100 before the
 * handler runs, any other expectation refused with 417.
 */
function serveCompatible(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, rawHeaders: string[], handler: NodeHandler): void {
  const req = new http2.Http2ServerRequest(stream, headers, {}, rawHeaders);
  const res = new http2.Http2ServerResponse(stream);
  if (headers[":method"] === "CONNECT") {
    res.statusCode = 405;
    return void res.end();
  }
  if (headers.expect !== undefined) {
    if (headers.expect !== "100-continue") {
      res.statusCode = 417;
      return void res.end();
    }
    res.writeContinue();
  }
  handler(req, res);
}
