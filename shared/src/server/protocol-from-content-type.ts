/** The wire protocol a request speaks, as the request log reports it. */
export type WireProtocol = "grpc" | "grpc-web" | "connect" | "http";

/**
 * Classifies a request by its content type: `application/grpc[+proto|+json]`, `application/grpc-web[-text]…`,
 * Connect's `application/(connect+)(proto|json)`; everything else (Hono routes) is plain HTTP.
 */
export function protocolFromContentType(contentType: string | undefined, method: string, url: string): WireProtocol {
  const ct = (contentType ?? "").toLowerCase();
  if (ct.startsWith("application/grpc-web")) return "grpc-web";
  if (ct.startsWith("application/grpc")) return "grpc";
  if (ct.startsWith("application/connect+") || ((ct.startsWith("application/json") || ct.startsWith("application/proto")) && method === "POST")) {
    return "connect";
  }
  if (method === "GET" && url.includes("connect=v1")) return "connect";
  return "http";
}
