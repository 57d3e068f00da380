import type { BrokerEvent } from "./broker-event.js";

export interface TriggerQueueOptions {
  /** Events held at once, waiting or being delivered; `push` beyond it is refused. Required. */
  capacity: number;
  /** Deliveries in flight at once. Required. */
  concurrency: number;
  /** One delivery at a time per key (the Kafka Broker's ordered delivery); else every event on its own. Required. */
  ordered: boolean;
  /** Delivers one event to its outcome; rejects only when aborted. Required. */
  handle: (event: BrokerEvent) => Promise<unknown>;
}

/** One trigger's events in the in-memory broker. */
export interface TriggerQueue {
  /** Events waiting or in flight. */
  readonly size: number;
  /** Whether `push` would be refused. */
  readonly full: boolean;
  /** Queues an event under its ordering key (undefined: no order with any other). False when full. */
  push(event: BrokerEvent, key: string | undefined): boolean;
  /** Forgets every waiting event and returns how many there were; those in flight finish or abort. */
  clear(): number;
  /** Resolves when nothing is in flight. */
  idle(): Promise<void>;
}

/**
 * A bounded queue of one trigger's events with per-key lanes: with `ordered`, a key's events are
 * delivered one at a time in the order pushed (a retrying event holds back only its own key, as
 * a Kafka partition holds back only itself); keys take turns, at most `concurrency` in flight.
 *
 * @internal
 */
export function createTriggerQueue({ capacity, concurrency, ordered, handle }: TriggerQueueOptions): TriggerQueue {
  const lanes = new Map<string, BrokerEvent[]>();
  const ready = new Set<string>(); // lanes with waiting events and none in flight, oldest first
  const running = new Set<string>();
  let size = 0;
  let unique = 0;
  const idleWaiters: (() => void)[] = [];

  const pump = () => {
    while (running.size < concurrency && ready.size > 0) {
      const lane = ready.values().next().value!;
      ready.delete(lane);
      const waiting = lanes.get(lane)!;
      const event = waiting.shift()!;
      if (waiting.length === 0) lanes.delete(lane);
      running.add(lane);
      void handle(event)
        .catch(() => undefined)
        .finally(() => {
          size--;
          running.delete(lane);
          if (lanes.has(lane)) ready.add(lane);
          pump();
          if (running.size === 0) idleWaiters.splice(0).forEach((resolve) => resolve());
        });
    }
  };

  return {
    get size() {
      return size;
    },
    get full() {
      return size >= capacity;
    },
    push(event, key) {
      if (size >= capacity) return false;
      const lane = ordered && key !== undefined ? `k:${key}` : `u:${unique++}`;
      size++;
      const waiting = lanes.get(lane);
      if (waiting) waiting.push(event);
      else lanes.set(lane, [event]);
      if (!running.has(lane)) ready.add(lane);
      pump();
      return true;
    },
    clear() {
      let dropped = 0;
      for (const waiting of lanes.values()) dropped += waiting.length;
      lanes.clear();
      ready.clear();
      size -= dropped;
      return dropped;
    },
    idle() {
      if (running.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
