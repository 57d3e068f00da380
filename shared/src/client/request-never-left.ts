import { ConnectError } from "@connectrpc/connect";

/** Errors that prove a request was never sent: nothing listened, or the name did not resolve. */
const notSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** True when `err` shows the request never reached the target, so even a non-idempotent call may be sent again. */
export function requestNeverLeft(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && notSentCodes.has(code)) return true;
    e = e instanceof ConnectError || e instanceof Error ? e.cause : undefined;
  }
  return false;
}
