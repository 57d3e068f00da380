import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { AddressInfo } from "node:net";

export interface ProxyServerOptions {
  /** Every HTTP/1.1 request. */
  onRequest: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  /** Every HTTP/2 stream, on the core API so trailers, flags and RST codes pass through untouched. */
  onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number) => void;
  /** A new connection must send its first bytes, and an HTTP/1.1 request its headers, within this. Default 10000 ms. */
  headersTimeoutMs?: number;
  /** A connection with nothing in flight is closed after this long. Default 65000 ms. */
  idleTimeoutMs?: number;
}

/** One listening port of the activator. */
export interface ProxyServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting: no new connections, GOAWAY on HTTP/2, idle HTTP/1.1 connections closed; running requests go on. */
  stopAccepting(): void;
  /** Closes every connection left. */
  destroy(): void;
}

const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * HTTP/1.1 and h2c (prior knowledge) on one port, told apart by the connection's first bytes,
 * as the runtime's one-port server does. That server hands out node:http2's compatibility
 * objects, which write trailers themselves; a proxy needs the streams, hence this twin.
 */
export function createProxyServer({ onRequest, onStream, headersTimeoutMs = 10_000, idleTimeoutMs = 65_000 }: ProxyServerOptions): ProxyServer {
  let accepting = true;
  const h1 = http.createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: 0, // streams of any length; the function bounds its own requests
      keepAliveTimeout: idleTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
    },
    (req, res) => {
      if (!accepting) res.shouldKeepAlive = false;
      onRequest(req, res);
    },
  );
  h1.emit("listening"); // starts the headers-timeout checks of a server that never listens itself
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000 } });
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.on("error", () => {});
    let open = 0;
    session.on("stream", (stream) => {
      open++;
      stream.once("close", () => open--);
    });
    session.setTimeout(idleTimeoutMs, () => {
      if (open === 0) session.close();
    });
  });
  h2.on("stream", (stream, headers, flags) => {
    stream.on("error", () => {}); // a client reset is reported through "close"
    onStream(stream, headers, flags);
  });

  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(headersTimeoutMs, () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, preface.length);
      const isH2 = head.subarray(0, n).equals(preface.subarray(0, n));
      if (isH2 && head.length < preface.length) return;
      socket.off("data", onData);
      socket.pause();
      socket.setTimeout(0);
      socket.unshift(head);
      if (isH2) {
        h2.emit("connection", socket);
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  });

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    stopAccepting() {
      accepting = false;
      server.close();
      for (const session of sessions) session.close();
      h1.closeIdleConnections();
    },
    destroy() {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      h1.close();
    },
  };
}
