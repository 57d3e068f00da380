import { HealthCheckResponse_ServingStatus as ServingStatus } from "@kinetic/contracts/grpc/health/v1/health_pb.js";

export interface HealthStateOptions {
  /**
   * Statuses to start with, by service name; `""` is the whole server.
   * Default `{ "": SERVING }`, as gRPC servers do, so a bare health check passes from the start.
   */
  readonly initial?: Readonly<Record<string, ServingStatus>>;
}

type Listener = (status: ServingStatus) => void;

/**
 * The serving status of the server (service name `""`) and of each named service, behind the
 * `grpc.health.v1.Health` service. Kept apart from the RPC handlers so the server can flip
 * statuses (ready, draining) without knowing about gRPC, and watchers hear about every change.
 *
 * @example
 * const health = new HealthState();
 * health.set(IdentityService.typeName, ServingStatus.SERVING);
 * process.once("SIGTERM", () => health.setAll(ServingStatus.NOT_SERVING));
 */
export class HealthState {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly wakers = new Set<() => void>();
  private closed = false;

  constructor(options: HealthStateOptions = {}) {
    const initial = options.initial ?? { "": ServingStatus.SERVING };
    for (const [service, status] of Object.entries(initial)) this.statuses.set(service, status);
  }

  /** The status of `service`, or `undefined` when it was never set. */
  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Sets the status of `service` (`""` for the whole server) and tells its watchers. */
  set(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const listener of this.listeners.get(service) ?? []) listener(status);
  }

  /** Sets every known service, the server included, to `status`; on shutdown: `NOT_SERVING`. */
  setAll(status: ServingStatus): void {
    for (const service of [...this.statuses.keys()]) this.set(service, status);
  }

  /**
   * Shutdown: every status becomes `NOT_SERVING`, and every Watch ends once it has sent that, so
   * watchers learn the server is going away and do not hold up the drain.
   */
  close(): void {
    this.setAll(ServingStatus.NOT_SERVING);
    this.closed = true;
    for (const wakeWatcher of this.wakers) wakeWatcher();
  }

  /** A snapshot of every known service and its status. */
  entries(): Map<string, ServingStatus> {
    return new Map(this.statuses);
  }

  /** Number of active watchers, across services; for metrics and leak checks. */
  get watcherCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  /**
   * Yields the current status of `service` (`SERVICE_UNKNOWN` when never set), then each change,
   * never the same status twice in a row. Ends, and forgets its listener, when `signal` aborts.
   */
  async *watch(service: string, signal: AbortSignal): AsyncGenerator<ServingStatus, void, undefined> {
    if (signal.aborted) return;
    const queue: ServingStatus[] = [this.statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN];
    let wake: (() => void) | undefined;
    const listener: Listener = (status) => {
      queue.push(status);
      wake?.();
    };
    const stop = (): void => {
      this.unsubscribe(service, listener);
      wake?.();
    };
    const wakeWatcher = () => wake?.();
    this.wakers.add(wakeWatcher);
    this.subscribe(service, listener);
    signal.addEventListener("abort", stop, { once: true });
    try {
      let last: ServingStatus | undefined;
      while (!signal.aborted) {
        const next = queue.shift();
        if (next === undefined) {
          if (this.closed) return;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        } else if (next !== last) {
          last = next;
          yield next;
        }
      }
    } finally {
      this.wakers.delete(wakeWatcher);
      signal.removeEventListener("abort", stop);
      this.unsubscribe(service, listener);
    }
  }

  private subscribe(service: string, listener: Listener): void {
    const set = this.listeners.get(service) ?? new Set();
    set.add(listener);
    this.listeners.set(service, set);
  }

  private unsubscribe(service: string, listener: Listener): void {
    const set = this.listeners.get(service);
    if (set === undefined) return;
    set.delete(listener);
    if (set.size === 0) this.listeners.delete(service);
  }
}
