import { Code, createContextKey, type Interceptor } from "@connectrpc/connect";

/**
 * What is known about one request by the time it ends. The node-level request log creates it;
 * the outermost Connect interceptor fills in the procedure and the outcome, which the raw
 * response cannot tell for gRPC (the status travels in trailers).
 */
export interface RequestRecord {
  procedure: string | undefined;
  code: Code | undefined;
}

/** Context key carrying the request's record into interceptors and handlers. */
export const requestRecordKey = createContextKey<RequestRecord | undefined>(undefined, { description: "kinetic request record" });

/** The outermost interceptor: notes the procedure and the code each RPC ended with. */
export function createOutcomeInterceptor(): Interceptor {
  return (next) =>
    async function recordOutcome(req) {
      const record = req.contextValues.get(requestRecordKey);
      if (record) record.procedure = `${req.method.parent.typeName}/${req.method.name}`;
      let res;
      try {
        res = await next(req);
      } catch (err) {
        if (record) record.code = codeOf(err);
        throw err;
      }
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
            if (record) record.code = codeOf(err);
            throw err;
          }
        })(),
      };
    };
}

function codeOf(err: unknown): Code {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "number" && err.code in Code
    ? (err.code as Code)
    : Code.Unknown;
}
