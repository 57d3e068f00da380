import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** One request a test subscriber received. */
export interface ReceivedDelivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** `performance.now()` when the request arrived. */
  readonly at: number;
}

/** How a test subscriber answers a delivery. */
export interface SubscriberAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Waits this long before answering (a slow function). */
  readonly delayMs?: number;
}

/** A plain HTTP server standing in for a function's `POST /`. */
export interface TestSubscriber {
  /** Base URL, as the registry gives it (no trailing slash). */
  readonly url: string;
  readonly received: ReceivedDelivery[];
  /** Most requests it was handling at once. */
  readonly maxInFlight: () => number;
  close(): Promise<void>;
}

/**
 * Starts a subscriber on a free port that records every request and answers with `answer`
 * (given the request and its 0-based number): 202 by default. For the dispatcher's tests only.
 *
 * @example
 * const subscriber = await startTestSubscriber((_, n) => ({ status: n < 2 ? 500 : 202 }));
 */
export async function startTestSubscriber(answer: (delivery: ReceivedDelivery, n: number) => SubscriberAnswer = () => ({ status: 202 })): Promise<TestSubscriber> {
  const received: ReceivedDelivery[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const delivery = { headers: req.headers, body: Buffer.concat(chunks), at };
      const { status, headers = {}, body, delayMs = 0 } = answer(delivery, received.length);
      received.push(delivery);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      if (delayMs > 0) await sleep(delayMs);
      inFlight--;
      res.writeHead(status, headers).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
