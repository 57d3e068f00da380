import type { Interceptor } from "@connectrpc/connect";
import { callerHeader, inboundCall, subjectHeader } from "./inbound-call.js";

/**
 * Tells the target who is calling: this function's name, and the subject the inbound call acts
 * for, so authorization downstream sees the original user.
 */
export function createCallerInterceptor(caller: string | undefined): Interceptor {
  return (next) =>
    async function propagateCaller(req) {
      if (caller !== undefined) req.header.set(callerHeader, caller);
      const subject = inboundCall()?.subject;
      if (subject !== undefined && !req.header.has(subjectHeader)) req.header.set(subjectHeader, subject);
      return next(req);
    };
}
