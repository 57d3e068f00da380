import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { BrokerEvent } from "./broker-event.js";
import { httpHeadersFromBrokerEvent } from "./http-headers-from-broker-event.js";

/** What one delivery attempt got: a response, or an error without one (network, timeout). */
export type DeliveryAttempt =
  | { readonly status: number; readonly headers: Headers; readonly body: Buffer }
  | { readonly status: undefined; readonly error: Error };

/**
 * Connections kept alive per subscriber, for every trigger of the process. node:http rather
 * than `fetch`: a third of the CPU per delivery, which the dispatcher shares with the functions.
 */
const agents = { "http:": new HttpAgent({ keepAlive: true }), "https:": new HttpsAgent({ keepAlive: true }) };

/**
 * POSTs an event in binary content mode to a subscriber, as Knative's dispatcher does, with
 * `Prefer: reply` (the dispatcher accepts a reply event in a 200 response), and reads the whole
 * response. A network error or the per-attempt timeout is returned as an attempt without
 * status; only `signal` (the dispatcher stopping) makes it reject, with the abort reason. A
 * kept-alive connection the subscriber closed just as it was reused is retried once on a new
 * one, as Node's documentation advises: it closed it idle, before reading the request.
 *
 * @example
 * const attempt = await deliverOverHttp("http://127.0.0.1:8081/", event, { timeoutMs: 30_000, signal });
 */
export async function deliverOverHttp(url: string, event: BrokerEvent, { timeoutMs, signal }: { timeoutMs: number; signal: AbortSignal }): Promise<DeliveryAttempt> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { status: undefined, error: new TypeError(`cannot deliver to ${JSON.stringify(url)}: not a URL`) };
  }
  const headers = { ...httpHeadersFromBrokerEvent(event), prefer: "reply", "content-length": String(event.data.length) };
  const first = await exchange(target, headers, event.data, timeoutMs, signal);
  return first.staleConnection ? exchange(target, headers, event.data, timeoutMs, signal) : first;
}

/** Internal: one request and its whole response; rejects only when `signal` aborts. */
function exchange(target: URL, headers: Record<string, string>, body: Buffer, timeoutMs: number, signal: AbortSignal): Promise<DeliveryAttempt & { staleConnection?: boolean }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    let request: ClientRequest | undefined;
    let answered = false;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      outcome();
    };
    const fail = (error: Error) => {
      const stale = !answered && request?.reusedSocket === true && (error as NodeJS.ErrnoException).code === "ECONNRESET";
      settle(() => resolve({ status: undefined, error, staleConnection: stale }));
    };
    const onAbort = () => {
      settle(() => reject(signal.reason));
      request?.destroy();
    };
    const timer = setTimeout(() => {
      const error = new Error(`no response within ${timeoutMs} ms`);
      fail(error);
      request?.destroy(error);
    }, timeoutMs);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const send = target.protocol === "https:" ? httpsRequest : target.protocol === "http:" ? httpRequest : undefined;
      if (send === undefined) throw new TypeError(`cannot deliver to ${target.href}: only http and https URLs are supported`);
      request = send(target, { method: "POST", headers, agent: agents[target.protocol as keyof typeof agents] }, (response: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", fail);
        response.on("close", () => {
          if (!response.complete) fail(new Error("the connection closed before the whole response arrived"));
        });
        response.on("end", () => settle(() => resolve({ status: response.statusCode!, headers: headersOf(response), body: Buffer.concat(chunks) })));
      });
      request.on("error", fail);
      request.end(body);
    } catch (err) {
      // An invalid header value (a content-type from a record, say) throws before anything is sent.
      fail(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** Internal: a response's headers as fetch's `Headers`, repeated ones appended. */
function headersOf(response: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, values] of Object.entries(response.headersDistinct)) for (const value of values ?? []) headers.append(name, value);
  return headers;
}
