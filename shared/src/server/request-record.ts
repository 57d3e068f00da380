import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import { currentTraceIds } from "../telemetry/current-trace-ids.js";

/**
 * What is known about one request by the time it ends. The node-level request log creates it;
 * the outermost Connect interceptor fills in the procedure and the outcome, which the raw
 * response cannot tell for gRPC (the status travels in trailers).
 */
export interface RequestRecord {
  procedure: string | undefined;
  code: Code | undefined;
  /** The server span's trace id (continued from the caller, or new). */
  traceId: string | undefined;
}

/** Context key carrying the request's record into interceptors and handlers. */
export const requestRecordKey = createContextKey<RequestRecord | undefined>(undefined, { description: "kinetic request record" });

/**
 * Response headers that belong to the protocol. A handler rethrowing a downstream call's error
 * would otherwise copy them (content-type, grpc-status…) into its own response and corrupt it.
 */
const protocolHeaders = [
  "content-type",
  "content-length",
  "content-encoding",
  "accept-encoding",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "date",
  "grpc-status",
  "grpc-message",
  "grpc-status-details-bin",
  "grpc-encoding",
  "grpc-accept-encoding",
  "connect-content-encoding",
  "connect-accept-encoding",
];

function withoutProtocolHeaders(err: unknown): unknown {
  if (err instanceof ConnectError) for (const name of protocolHeaders) err.metadata.delete(name);
  return err;
}

/**
 * Runs inside the server span: notes the procedure, the trace id and the code each RPC ended
 * with, and strips protocol headers from the metadata of errors on their way out.
 */
export function createOutcomeInterceptor(): Interceptor {
  return (next) =>
    // Not an async function: a unary call costs one `then` here, not a promise and an await.
    function recordOutcome(req) {
      const record = req.contextValues.get(requestRecordKey);
      if (record) {
        record.procedure = `${req.method.parent.typeName}/${req.method.name}`;
        record.traceId = currentTraceIds()?.trace_id;
      }
      const failed = (err: unknown): never => {
        if (record) record.code = codeOf(err);
        throw withoutProtocolHeaders(err);
      };
      let answer;
      try {
        answer = next(req);
      } catch (err) {
        return Promise.reject(err).catch(failed);
      }
      return answer.then((res) => {
        if (!res.stream) {
          if (record) record.code = undefined; // ok
          return res;
        }
        const messages = res.message;
        return {
          ...res,
          message: (async function* recordStreamOutcome() {
            try {
              yield* messages;
            } catch (err) {
              failed(err);
            }
          })(),
        };
      }, failed);
    };
}

function codeOf(err: unknown): Code {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "number" && err.code in Code
    ? (err.code as Code)
    : Code.Unknown;
}
