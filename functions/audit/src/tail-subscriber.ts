import type { ConnectError } from "@connectrpc/connect";
import type { AuditEvent } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";

/** One Tail stream as the hub sees it: a bounded queue and the iterator draining it. Internal. */
export interface TailSubscriber {
  readonly typePrefix: string;
  /** Queues `event` for the stream; false, and nothing queued, once the queue is full or the stream ended. */
  offer(event: AuditEvent): boolean;
  /** Ends the stream: cleanly, or with `error` once what the consumer already took is written. Drops the queue. */
  end(error?: ConnectError): void;
  /** The queued events, waiting for more; throws the `end` error. Iterate once. */
  readonly events: AsyncIterable<AuditEvent>;
}

/**
 * Creates a subscriber holding at most `capacity` events. Whatever is written to the network
 * is the transport's (bounded by HTTP/2 flow control); this queue is the rest, so a consumer
 * that stops reading costs at most `capacity` events of memory before it is cut off.
 *
 * @internal
 */
export function createTailSubscriber(typePrefix: string, capacity: number): TailSubscriber {
  let queue: AuditEvent[] = [];
  let ended = false;
  let error: ConnectError | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  return {
    typePrefix,
    offer(event) {
      if (ended || queue.length >= capacity) return false;
      queue.push(event);
      notify();
      return true;
    },
    end(reason) {
      if (ended) return;
      ended = true;
      error = reason;
      queue = [];
      notify();
    },
    events: (async function* drainQueue() {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (error) throw error;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    })(),
  };
}
