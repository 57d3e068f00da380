import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { Code } from "@connectrpc/connect";
import { codeFromHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "../log/logger.js";
import type { NodeHandler, StreamHandler } from "./one-port-server.js";
import { protocolFromContentType } from "./protocol-from-content-type.js";
import type { RequestRecord } from "./request-record.js";
import { FastHeaders } from "./fast-headers.js";
import { probePaths } from "./probe-responder.js";
import { callerHeader } from "../client/inbound-call.js";
import { timeoutFromHeaders } from "../client/timeout-from-headers.js";

function timeoutHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of ["connect-timeout-ms", "grpc-timeout"]) {
    const value = headers[name];
    if (typeof value === "string") picked[name] = value;
  }
  return picked;
}

export interface RequestLog {
  /** Wraps `handler` so that every request ends with one log line. */
  readonly handler: NodeHandler;
  /** Wraps a `StreamHandler` the same way: every HTTP/2 stream it takes ends with one log line. */
  streams(inner: StreamHandler): StreamHandler;
  /** The record of a request being served, for the Connect adapter's context values. */
  recordOf(req: object): RequestRecord | undefined;
}

/** Where a request carries its record: a property is cheaper to set and read than a WeakMap entry. */
const recordSymbol = Symbol("kinetic request record");

/**
 * One JSON line per request: procedure (or method and path), protocol, code (Connect code name,
 * or HTTP status for plain routes), duration, HTTP version and W3C trace id when present.
 * Kubernetes probes log at debug so they do not drown the rest.
 */
export function createRequestLog(log: Logger, handler: NodeHandler): RequestLog {
  const quiet = log.level === "warn" || log.level === "error";
  const writeLine = (line: FinishedRequest) => {
    const path = (line.url ?? "/").split("?")[0]!;
    const { protocol, record, status } = line;
    let code: string | number;
    if (protocol === "http") code = status as number;
    else if (record.procedure !== undefined) code = record.code === undefined ? "ok" : codeToString(record.code);
    else if (status !== undefined) code = status === "0" ? "ok" : codeToString(Number(status) as Code);
    else code = line.httpStatus === 200 ? "ok" : codeToString(codeFromHttpStatus(line.httpStatus));
    if (!line.ended && code === "ok") code = "canceled";
    const fields = {
      procedure: record.procedure ?? (protocol === "http" ? `${line.method} ${path}` : path.slice(1)),
      protocol,
      code,
      duration_ms: Math.round((performance.now() - line.started) * 1000) / 1000,
      http_version: line.httpVersion,
      trace_id: record.traceId ?? traceIdOf(line.headers.traceparent),
      timeout_ms: timeoutFromHeaders(new FastHeaders(timeoutHeaders(line.headers))),
      caller: line.headers[callerHeader],
    };
    if (protocol === "http" && probePaths.has(path)) log.debug("request", fields);
    else log.info("request", fields);
  };
  return {
    streams: (inner) =>
      function logStream(stream, headers) {
        // No line is written above info: no record either, so the call fills none in.
        if (quiet) return inner(stream, headers);
        const started = performance.now();
        const record: RequestRecord = { procedure: undefined, code: undefined, traceId: undefined };
        const carrier = stream as { [recordSymbol]?: RequestRecord };
        carrier[recordSymbol] = record;
        // The gRPC status is in the headers of a trailers-only answer, else in the trailers.
        let grpcStatus: string | undefined;
        const respond = stream.respond;
        const sendTrailers = stream.sendTrailers;
        stream.respond = (h, options) => {
          grpcStatus ??= h?.["grpc-status"] as string | undefined;
          respond.call(stream, h, options);
        };
        stream.sendTrailers = (h) => {
          grpcStatus = (h["grpc-status"] as string | undefined) ?? grpcStatus;
          sendTrailers.call(stream, h);
        };
        if (!inner(stream, headers)) {
          // Not taken: node's compatibility request will log it; the stream is as it was.
          delete (stream as Partial<typeof stream>).respond;
          delete (stream as Partial<typeof stream>).sendTrailers;
          delete carrier[recordSymbol];
          return false;
        }
        stream.once("close", () => {
          const method = headers[":method"];
          const url = headers[":path"];
          const protocol = protocolFromContentType(headers["content-type"], method ?? "GET", url ?? "/");
          writeLine({ protocol, method, url, status: grpcStatus, httpStatus: 200, ended: stream.writableEnded && stream.writableFinished, httpVersion: "2.0", headers, record, started });
        });
        return true;
      },
    recordOf: (req) => (req as { [recordSymbol]?: RequestRecord })[recordSymbol],
    handler: function logRequest(req, res) {
      // Request lines are info (probes debug): above that level none is written, so neither the
      // line nor the record it would be made of is built.
      if (quiet) return handler(req, res);
      const started = performance.now();
      const record: RequestRecord = { procedure: undefined, code: undefined, traceId: undefined };
      (req as { [recordSymbol]?: RequestRecord })[recordSymbol] = record;
      const headers = req.headers as IncomingHttpHeaders;
      const protocol = protocolFromContentType(headers["content-type"], req.method ?? "GET", req.url ?? "/");
      let grpcStatus: string | undefined;
      if (protocol === "grpc" || protocol === "grpc-web") {
        const writeHead = res.writeHead.bind(res) as (status: number, headers?: OutgoingHttpHeaders) => unknown;
        const addTrailers = res.addTrailers.bind(res) as (headers: OutgoingHttpHeaders) => void;
        (res as { writeHead: unknown }).writeHead = (status: number, h?: OutgoingHttpHeaders) => {
          grpcStatus ??= h?.["grpc-status"] as string | undefined;
          return writeHead(status, h);
        };
        (res as { addTrailers: unknown }).addTrailers = (h: OutgoingHttpHeaders) => {
          grpcStatus = (h["grpc-status"] as string | undefined) ?? grpcStatus;
          addTrailers(h);
        };
      }
      res.once("close", () => {
        const status = protocol === "http" ? res.statusCode : grpcStatus;
        // An h2 stream reset by the client can report writableFinished; only an ended answer is one.
        writeLine({ protocol, method: req.method, url: req.url, status, httpStatus: res.statusCode, ended: res.writableEnded && res.writableFinished, httpVersion: req.httpVersion, headers, record, started });
      });
      handler(req, res);
    },
  };
}

/** The trace id of a W3C `traceparent` header (`00-<trace-id>-<span-id>-<flags>`), if well-formed. */
function traceIdOf(traceparent: string | string[] | undefined): string | undefined {
  if (typeof traceparent !== "string") return undefined;
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent.trim());
  return match?.[1];
}

/** What a finished request's log line is made of. */
interface FinishedRequest {
  readonly protocol: ReturnType<typeof protocolFromContentType>;
  readonly method: string | undefined;
  readonly url: string | undefined;
  /** The HTTP status of a plain route, the `grpc-status` sent for gRPC, else undefined. */
  readonly status: number | string | undefined;
  readonly httpStatus: number;
  /** True when the whole answer was written. */
  readonly ended: boolean;
  readonly httpVersion: string;
  readonly headers: IncomingHttpHeaders;
  readonly record: RequestRecord;
  readonly started: number;
}
