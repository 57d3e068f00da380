import { Code } from "@connectrpc/connect";
import { codeToHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import type { RequestProtocol } from "./request-protocol.js";

/** A response the activator writes itself: status, headers and an optional body. */
export interface ErrorResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Undefined for gRPC's trailers-only responses: the headers end the stream. */
  readonly body: Buffer | undefined;
}

const plainStatus: Partial<Record<Code, number>> = {
  [Code.Unimplemented]: 404,
  [Code.NotFound]: 404,
  [Code.Unavailable]: 503,
  [Code.ResourceExhausted]: 503,
  [Code.DeadlineExceeded]: 504,
  [Code.Canceled]: 499,
};

/**
 * The activator's answer when it cannot hand a request to a function, in the request's own
 * protocol: gRPC and gRPC-Web get a trailers-only response (`grpc-status`, `grpc-message`),
 * Connect unary a JSON `{ code, message }` with the code's HTTP status (404 for an unknown
 * route, as Connect routers answer), Connect streaming an end-of-stream message carrying the
 * error, plain HTTP a text body. `httpStatus` overrides the status of plain HTTP only (502
 * when an instance died under the request).
 */
export function errorResponse(protocol: RequestProtocol, code: Code, message: string, { contentType, httpStatus }: { contentType?: string | undefined; httpStatus?: number } = {}): ErrorResponse {
  switch (protocol) {
    case "grpc":
    case "grpc-web":
      return {
        status: 200,
        headers: {
          "content-type": contentType ?? (protocol === "grpc" ? "application/grpc" : "application/grpc-web+proto"),
          "grpc-status": String(code),
          "grpc-message": encodeURIComponent(message),
        },
        body: undefined,
      };
    case "connect":
      return {
        status: code === Code.Unimplemented ? 404 : codeToHttpStatus(code),
        headers: { "content-type": "application/json" },
        body: Buffer.from(JSON.stringify({ code: codeToString(code), message })),
      };
    case "connect-stream":
      return { status: 200, headers: { "content-type": contentType ?? "application/connect+json" }, body: connectEndStream(code, message) };
    case "http":
      return {
        status: httpStatus ?? plainStatus[code] ?? 500,
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: Buffer.from(`${message}\n`),
      };
  }
}

/** A Connect end-of-stream message (flag 0b10, JSON) carrying an error, whatever the codec. */
export function connectEndStream(code: Code, message: string): Buffer {
  const json = Buffer.from(JSON.stringify({ error: { code: codeToString(code), message } }));
  const head = Buffer.alloc(5);
  head.writeUInt8(0b10, 0);
  head.writeUInt32BE(json.length, 1);
  return Buffer.concat([head, json]);
}
