import { Code, ConnectError, type StreamRequest, type UnaryRequest } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { SpanKind, trace, type Attributes, type Context, type Tracer } from "@opentelemetry/api";
import { endSpan } from "./end-span.js";

/** One RPC's span, as the server and client interceptors use it. */
export interface RpcSpan {
  /** The context to run the call in: the parent context with this span active. */
  readonly context: Context;
  /** False for a span that records nothing (no SDK, or not sampled). */
  readonly recording: boolean;
  /** Records the outcome (no argument: success) and ends the span; later calls do nothing. */
  end(error?: unknown): void;
}

/** Codes that are the server's fault; other failures leave a SERVER span's status unset. */
const serverFaults: ReadonlySet<Code> = new Set([Code.Unknown, Code.DeadlineExceeded, Code.Unimplemented, Code.Internal, Code.Unavailable, Code.DataLoss]);

/**
 * Starts a span for one RPC with the `rpc.*` semantic conventions (v1.37, the ones backends
 * read today): `rpc.system` is "grpc" for gRPC and gRPC-Web, "connect_rpc" for the Connect
 * protocol; the outcome is `rpc.grpc.status_code` (0 on success) or `rpc.connect_rpc.error_code`.
 * A CLIENT span fails on every error code, a SERVER span only on the server's own faults
 * (unknown, deadline_exceeded, unimplemented, internal, unavailable, data_loss), as the
 * conventions say.
 */
export function startRpcSpan(
  tracer: Tracer,
  kind: SpanKind.SERVER | SpanKind.CLIENT,
  req: UnaryRequest | StreamRequest,
  parent: Context,
): RpcSpan {
  const system = (req.header.get("content-type") ?? "").startsWith("application/grpc") ? "grpc" : "connect_rpc";
  const service = req.service.typeName;
  const attributes: Attributes = { "rpc.system": system, "rpc.service": service, "rpc.method": req.method.name };
  if (kind === SpanKind.CLIENT) Object.assign(attributes, serverAttributesOf(req.url));
  const span = tracer.startSpan(`${service}/${req.method.name}`, { kind, attributes }, parent);
  let ended = false;
  return {
    context: trace.setSpan(parent, span),
    recording: span.isRecording(),
    end(error) {
      if (ended) return;
      ended = true;
      if (error === undefined) {
        if (system === "grpc") span.setAttribute("rpc.grpc.status_code", 0);
        return span.end();
      }
      const failure = ConnectError.from(error);
      if (system === "grpc") span.setAttribute("rpc.grpc.status_code", failure.code);
      else span.setAttribute("rpc.connect_rpc.error_code", codeToString(failure.code));
      endSpan(span, kind === SpanKind.CLIENT || serverFaults.has(failure.code) ? failure : undefined);
    },
  };
}

/** Internal: `server.address` and `server.port` of the URL a client calls. */
function serverAttributesOf(url: string): Attributes {
  try {
    const { hostname, port, protocol } = new URL(url);
    return { "server.address": hostname.replace(/^\[|\]$/g, ""), "server.port": Number(port || (protocol === "https:" ? 443 : 80)) };
  } catch {
    return {};
  }
}
