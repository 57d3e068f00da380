import { rpcPathOf } from "./rpc-path.js";

/**
 * What a request speaks, so the activator's own errors are ones its client understands:
 * gRPC and gRPC-Web (trailers-only responses), Connect unary (JSON error body with an HTTP
 * status), Connect streaming (an end-of-stream message) or plain HTTP.
 */
export type RequestProtocol = "grpc" | "grpc-web" | "connect" | "connect-stream" | "http";

/** Classifies a request by its content type, method and path. */
export function requestProtocol(contentType: string | undefined, method: string, path: string): RequestProtocol {
  const type = (contentType ?? "").toLowerCase();
  if (type.startsWith("application/grpc-web")) return "grpc-web";
  if (type.startsWith("application/grpc")) return "grpc";
  if (type.startsWith("application/connect+")) return "connect-stream";
  if (rpcPathOf(path) === undefined) return "http";
  if (method === "POST" && (type.startsWith("application/json") || type.startsWith("application/proto"))) return "connect";
  if (method === "GET" && /[?&]connect=v1(&|$)/.test(path)) return "connect";
  return "http";
}
