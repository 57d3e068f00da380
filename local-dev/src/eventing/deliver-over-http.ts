import type { BrokerEvent } from "./broker-event.js";
import { httpHeadersFromBrokerEvent } from "./http-headers-from-broker-event.js";

/** What one delivery attempt got: a response, or an error without one (network, timeout). */
export type DeliveryAttempt =
  | { readonly status: number; readonly headers: Headers; readonly body: Buffer }
  | { readonly status: undefined; readonly error: Error };

/**
 * POSTs an event in binary content mode to a subscriber, as Knative's dispatcher does, with
 * `Prefer: reply` (the dispatcher accepts a reply event in a 200 response), and reads the whole
 * response. A network error or the per-attempt timeout is returned as an attempt without
 * status; only `signal` (the dispatcher stopping) makes it reject, with the abort reason.
 *
 * @example
 * const attempt = await deliverOverHttp("http://127.0.0.1:8081/", event, { timeoutMs: 30_000, signal });
 */
export async function deliverOverHttp(url: string, event: BrokerEvent, { timeoutMs, signal }: { timeoutMs: number; signal: AbortSignal }): Promise<DeliveryAttempt> {
  const headers = { ...httpHeadersFromBrokerEvent(event), prefer: "reply" };
  try {
    const response = await fetch(url, { method: "POST", headers, body: event.data, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    const error = err instanceof Error ? err : new Error(String(err));
    const cause = (error as { cause?: unknown }).cause;
    return { status: undefined, error: cause instanceof Error ? cause : error };
  }
}
