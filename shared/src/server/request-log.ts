import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { Code } from "@connectrpc/connect";
import { codeFromHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "../log/logger.js";
import type { NodeHandler } from "./one-port-server.js";
import { protocolFromContentType } from "./protocol-from-content-type.js";
import type { RequestRecord } from "./request-record.js";
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
  /** The record of a request being served, for the Connect adapter's context values. */
  recordOf(req: object): RequestRecord | undefined;
}

const probes = new Set(["/healthz", "/readyz"]);

/** Where a request carries its record: a property is cheaper to set and read than a WeakMap entry. */
const recordSymbol = Symbol("kinetic request record");

/**
 * One JSON line per request: procedure (or method and path), protocol, code (Connect code name,
 * or HTTP status for plain routes), duration, HTTP version and W3C trace id when present.
 * Kubernetes probes log at debug so they do not drown the rest.
 */
export function createRequestLog(log: Logger, handler: NodeHandler): RequestLog {
  const quiet = log.level === "warn" || log.level === "error";
  return {
    recordOf: (req) => (req as { [recordSymbol]?: RequestRecord })[recordSymbol],
    handler: function logRequest(req, res) {
      const started = performance.now();
      const record: RequestRecord = { procedure: undefined, code: undefined, traceId: undefined };
      (req as { [recordSymbol]?: RequestRecord })[recordSymbol] = record;
      // Request lines are info (probes debug): above that level none is written, so none is built.
      if (quiet) return handler(req, res);
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
        const path = (req.url ?? "/").split("?")[0]!;
        let code: string | number;
        if (protocol === "http") code = res.statusCode;
        else if (record.procedure !== undefined) code = record.code === undefined ? "ok" : codeToString(record.code);
        else if (grpcStatus !== undefined) code = grpcStatus === "0" ? "ok" : codeToString(Number(grpcStatus) as Code);
        else code = res.statusCode === 200 ? "ok" : codeToString(codeFromHttpStatus(res.statusCode));
        // An h2 stream reset by the client can report writableFinished; only an ended answer is one.
        if (!(res.writableEnded && res.writableFinished) && code === "ok") code = "canceled";
        const fields = {
          procedure: record.procedure ?? (protocol === "http" ? `${req.method} ${path}` : path.slice(1)),
          protocol,
          code,
          duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
          http_version: req.httpVersion,
          trace_id: record.traceId ?? traceIdOf(headers.traceparent),
          timeout_ms: timeoutFromHeaders(new Headers(timeoutHeaders(headers))),
          caller: headers[callerHeader],
        };
        if (protocol === "http" && probes.has(path)) log.debug("request", fields);
        else log.info("request", fields);
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
