import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ActivatorEvent } from "./activator-event.js";
import type { ColdStart, FunctionStatus } from "./activator-status.js";
import type { ActivatorFunction } from "./load-activator-function.js";
import { startFunctionInstance, type FunctionInstance } from "./start-function-instance.js";

export interface FunctionPoolOptions {
  fn: ActivatorFunction;
  /** Working directory of the instances. Required. */
  root: string;
  /** Environment of every instance (K_SERVICE, K_CONFIGURATION, K_REVISION and PORT are added). Required. */
  env: NodeJS.ProcessEnv;
  /** An instance idle this long is stopped, down to minScale. Required. */
  idleMs: number;
  /** Requests that may wait for an instance; more are refused with resource_exhausted. Required. */
  maxQueued: number;
  /** Longest wait for an instance, unless the request's own deadline is shorter. Required. */
  queueTimeoutMs: number;
  /** An instance not ready by then is killed. Required. */
  startTimeoutMs: number;
  onEvent: (event: ActivatorEvent) => void;
  /** Each line an instance prints. */
  onLine: (fn: string, instance: number, line: string) => void;
}

/** A request's hold on one instance, from `acquire` until `release`. */
export interface Lease {
  readonly instance: FunctionInstance;
  /** The instance answered (first byte): completes the cold start record of the request that woke it. */
  answered(): void;
  /** The instance is done with the request; idempotent. */
  release(): void;
}

/** The instances of one function and the requests waiting for them: Knative's autoscaler and activator for it. */
export interface FunctionPool {
  readonly fn: ActivatorFunction;
  /**
   * An instance for one request: the ready one with the fewest requests in flight and room
   * under containerConcurrency, else a place in the queue while instances start. Rejects with
   * resource_exhausted (queue full), unavailable (no instance in time, failed start, shutting
   * down), deadline_exceeded (the request's own deadline passed) or canceled (`signal`).
   */
  acquire(signal: AbortSignal, timeoutMs: number | undefined): Promise<Lease>;
  /** The instance refused a connection (it began draining): it gets no more requests. */
  retire(instance: FunctionInstance): void;
  /**
   * A request lost its connection to the instance: no request goes to it until it is known
   * whether it died (a second, until its exit is seen) or lives on (then it is used again).
   * Call before releasing the lease, so a queued request never follows into a dead instance.
   */
  lost(instance: FunctionInstance): void;
  /** Counts a request the activator failed after `acquire` (its instance died under it). */
  recordFailure(message: string): void;
  /** Starts minScale instances. */
  start(): void;
  status(): Omit<FunctionStatus, "url" | "hosts">;
  /** Fails waiting requests, SIGTERMs every instance and waits for them; SIGKILL after `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
  /** SIGKILL to every instance, synchronously (the emulator's own exit). */
  kill(): void;
}

interface Slot {
  readonly instance: FunctionInstance;
  inFlight: number;
  served: number;
  /** Set when the pool stopped routing to it on purpose (idle, retired, shutdown). */
  stopping: boolean;
  /** Set while a lost connection leaves it unclear whether it is alive. */
  suspect: boolean;
  idleTimer: NodeJS.Timeout | undefined;
  coldStart: ColdStart | undefined;
}

interface Waiter {
  readonly queuedAt: number;
  grant(lease: Lease): void;
  fail(err: ConnectError): void;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/**
 * Scales one function as Knative's KPA does, on concurrency: desired instances =
 * ceil(in flight and queued / target), within minScale..maxScale, where target is capped by a
 * non-zero containerConcurrency (then also a hard per-instance limit; excess requests queue
 * here, as in Knative's activator). Scale-up is immediate; an instance idle for the window is
 * stopped with SIGTERM (it drains), keeping minScale. A start that fails fails the requests
 * waiting for it; an instance that dies is replaced on the next request, and requests still
 * queued are kept for its successor.
 */
export function createFunctionPool(options: FunctionPoolOptions): FunctionPool {
  const { fn, root, idleMs, maxQueued, queueTimeoutMs, startTimeoutMs, onEvent, onLine } = options;
  const { minScale, maxScale, target, containerConcurrency } = fn.scaling;
  const perInstance = containerConcurrency > 0 ? Math.min(target, containerConcurrency) : target;
  const env = { ...options.env, ...fn.env, K_SERVICE: fn.name, K_CONFIGURATION: fn.name, K_REVISION: `${fn.name}-00001` };
  const slots: Slot[] = [];
  const queue: Waiter[] = [];
  const recentErrors: { at: string; message: string }[] = [];
  let inFlight = 0;
  let requests = 0;
  let errors = 0;
  let nextId = 1;
  let reported = 0;
  let closing = false;
  let lastColdStart: ColdStart | undefined;
  let failedStarts = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  const serving = (s: Slot) => s.instance.state === "ready" && !s.stopping;
  const routable = (s: Slot) => serving(s) && !s.suspect;
  const active = () => slots.filter((s) => !s.stopping && (s.instance.state === "starting" || s.instance.state === "ready")).length;

  function recordError(message: string) {
    errors++;
    recentErrors.push({ at: new Date().toISOString(), message });
    if (recentErrors.length > 5) recentErrors.shift();
  }

  /** Reports a change in the number of ready instances. */
  function changed(reason: string, coldStartMs?: number) {
    const now = slots.filter(serving).length;
    if (now === reported) return;
    onEvent({ type: "scaled", fn: fn.name, from: reported, to: now, reason, ...(coldStartMs === undefined ? {} : { coldStartMs }) });
    reported = now;
  }

  function pick(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of slots) {
      if (!routable(slot) || (containerConcurrency > 0 && slot.inFlight >= containerConcurrency)) continue;
      if (best === undefined || slot.inFlight < best.inFlight) best = slot;
    }
    return best;
  }

  function lease(slot: Slot, waiter?: Waiter): Lease {
    slot.inFlight++;
    slot.served++;
    inFlight++;
    clearTimeout(slot.idleTimer);
    const cold = waiter !== undefined && slot.served === 1 ? slot.coldStart : undefined;
    let released = false;
    return {
      instance: slot.instance,
      answered() {
        if (cold !== undefined && cold.firstByteMs === undefined) cold.firstByteMs = Math.round(performance.now() - waiter!.queuedAt);
      },
      release() {
        if (released) return;
        released = true;
        slot.inFlight--;
        inFlight--;
        armIdle(slot);
        dispatch();
      },
    };
  }

  function dispatch() {
    while (queue.length > 0) {
      const slot = pick();
      if (slot === undefined) return;
      const waiter = queue.shift()!;
      waiter.grant(lease(slot, waiter));
    }
  }

  function armIdle(slot: Slot) {
    clearTimeout(slot.idleTimer);
    if (slot.inFlight > 0 || !routable(slot) || closing) return;
    slot.idleTimer = setTimeout(() => {
      if (slot.inFlight > 0 || !routable(slot)) return;
      if (active() <= minScale) return armIdle(slot); // kept warm; looked at again a window later
      slot.stopping = true;
      slot.instance.terminate();
      changed(`idle ${seconds(idleMs)}`);
    }, idleMs);
    slot.idleTimer.unref();
  }

  function failQueue(err: ConnectError) {
    for (const waiter of queue.splice(0)) {
      recordError(err.rawMessage);
      waiter.fail(err);
    }
  }

  function scale() {
    if (closing) return;
    const demand = inFlight + queue.length;
    const desired = Math.min(maxScale, Math.max(minScale, Math.ceil(demand / perInstance)));
    let count = active();
    if (count >= desired) return;
    if (demand === 0 && failedStarts > 0) {
      // Only minScale asks: retry a failing function with back-off, not in a loop.
      retryTimer ??= setTimeout(() => {
        retryTimer = undefined;
        failedStarts = 0;
        scale();
      }, Math.min(30_000, 1000 * 2 ** failedStarts)).unref();
      return;
    }
    for (; count < desired; count++) startInstance();
  }

  function startInstance() {
    const id = nextId++;
    const instance = startFunctionInstance({ root, module: fn.module, id, env, startTimeoutMs, onLine: (line) => onLine(fn.name, id, line), onGoaway: () => recheck(slot) });
    const slot: Slot = { instance, inFlight: 0, served: 0, stopping: false, suspect: false, idleTimer: undefined, coldStart: undefined };
    slots.push(slot);
    onEvent({ type: "starting", fn: fn.name, instance: id, pid: instance.pid });
    instance.ready.then(
      (readyMs) => {
        failedStarts = 0;
        if (closing || slot.stopping) return;
        slot.coldStart = lastColdStart = { readyMs, firstByteMs: undefined, at: new Date().toISOString() };
        changed(`cold start ${readyMs} ms`, readyMs);
        armIdle(slot);
        dispatch();
      },
      (err: Error) => {
        remove(slot);
        if (closing || slot.stopping) return;
        failedStarts++;
        recordError(`instance ${id} failed to start: ${err.message}`);
        onEvent({ type: "start-failed", fn: fn.name, instance: id, message: err.message });
        if (active() === 0) failQueue(new ConnectError(`function ${fn.name} failed to start: ${err.message}`, Code.Unavailable));
        scale();
      },
    );
    void instance.exited.then(({ code, signal }) => {
      clearTimeout(slot.idleTimer);
      if (slot.coldStart === undefined) return; // it never got ready: the failed start is handled above
      const wasServing = !slot.stopping;
      remove(slot);
      if (closing) return;
      if (wasServing && signal === null && code === 0) {
        changed(`instance ${id}, pid ${instance.pid}, exited after draining`); // stopped by someone else, cleanly
      } else if (wasServing) {
        const how = signal ?? `exit code ${code}`;
        recordError(`instance ${id} (pid ${instance.pid}) died: ${how}`);
        changed(`instance ${id}, pid ${instance.pid}, died: ${how}`);
      }
      scale();
    });
  }

  /**
   * A GOAWAY from an instance: it drains (a SIGTERM from elsewhere) or only closed an idle
   * connection. No request goes to it until `/readyz` tells which: 200 puts it back, anything
   * else retires it, while its requests in flight finish on the old connection.
   */
  function recheck(slot: Slot) {
    if (slot.suspect || slot.stopping || closing) return;
    slot.suspect = true;
    void slot.instance.probe().then((ready) => {
      slot.suspect = false;
      if (!slots.includes(slot)) return;
      if (ready) {
        armIdle(slot);
        dispatch();
      } else {
        retire(slot, `instance ${slot.instance.id} is draining`);
      }
    });
  }

  function retire(slot: Slot, reason: string) {
    if (slot.stopping) return;
    slot.stopping = true;
    clearTimeout(slot.idleTimer);
    slot.instance.retire();
    changed(reason);
    scale();
  }

  function remove(slot: Slot) {
    const index = slots.indexOf(slot);
    if (index !== -1) slots.splice(index, 1);
  }

  return {
    fn,
    acquire(signal, timeoutMs) {
      requests++;
      if (signal.aborted) return Promise.reject(new ConnectError("the client went away", Code.Canceled));
      if (closing) return Promise.reject(new ConnectError(`the platform is shutting down: ${fn.name} takes no new requests`, Code.Unavailable));
      const slot = queue.length === 0 ? pick() : undefined;
      if (slot !== undefined) {
        const granted = lease(slot);
        scale();
        return Promise.resolve(granted);
      }
      if (queue.length >= maxQueued) {
        const err = new ConnectError(
          `${fn.name} already has ${queue.length} requests waiting for an instance, the most the activator queues (maxScale ${maxScale}, containerConcurrency ${containerConcurrency || "unlimited"}); retry later`,
          Code.ResourceExhausted,
        );
        recordError(err.rawMessage);
        return Promise.reject(err);
      }
      return new Promise<Lease>((resolve, reject) => {
        const deadlineFirst = timeoutMs !== undefined && timeoutMs <= queueTimeoutMs;
        const timer = setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          const err = deadlineFirst
            ? new ConnectError(`the request's deadline (${timeoutMs} ms) passed while it waited for an instance of ${fn.name}`, Code.DeadlineExceeded)
            : new ConnectError(`no instance of ${fn.name} could take the request within ${seconds(queueTimeoutMs)}`, Code.Unavailable);
          recordError(err.rawMessage);
          waiter.fail(err);
        }, deadlineFirst ? timeoutMs : queueTimeoutMs);
        const onAbort = () => {
          queue.splice(queue.indexOf(waiter), 1);
          waiter.fail(new ConnectError("the client went away while its request waited for an instance", Code.Canceled));
        };
        const waiter: Waiter = {
          queuedAt: performance.now(),
          grant(granted) {
            clearTimeout(timer);
            signal.removeEventListener("abort", onAbort);
            resolve(granted);
          },
          fail(err) {
            clearTimeout(timer);
            signal.removeEventListener("abort", onAbort);
            reject(err);
          },
        };
        signal.addEventListener("abort", onAbort, { once: true });
        queue.push(waiter);
        scale();
      });
    },
    retire(instance) {
      const slot = slots.find((s) => s.instance === instance);
      if (slot !== undefined) retire(slot, `instance ${instance.id} is draining`);
    },
    lost(instance) {
      const slot = slots.find((s) => s.instance === instance);
      if (slot === undefined || slot.suspect) return;
      slot.suspect = true;
      const bound = new AbortController();
      void Promise.race([instance.exited, sleep(1000, undefined, { signal: bound.signal }).catch(() => undefined)]).then(() => {
        bound.abort();
        slot.suspect = false;
        if (!slots.includes(slot)) return;
        armIdle(slot);
        dispatch();
      });
    },
    recordFailure: recordError,
    start: scale,
    status() {
      const count = (state: string) => slots.filter((s) => s.instance.state === state && (state !== "ready" || !s.stopping)).length;
      return {
        name: fn.name,
        description: fn.description,
        services: fn.services,
        scaling: { minScale, maxScale, target, containerConcurrency, windowSeconds: idleMs / 1000 },
        ready: count("ready"),
        starting: count("starting"),
        draining: slots.filter((s) => s.instance.state === "draining" || (s.instance.state === "ready" && s.stopping)).length,
        queued: queue.length,
        inFlight,
        requests,
        errors,
        recentErrors: [...recentErrors],
        lastColdStart,
        instances: slots.map((s) => ({
          id: s.instance.id,
          pid: s.instance.pid,
          state: s.stopping && s.instance.state === "ready" ? "draining" : s.instance.state,
          url: s.instance.url,
          inFlight: s.inFlight,
          requests: s.served,
          startedAt: new Date(s.instance.startedAt).toISOString(),
        })),
      };
    },
    async close(timeoutMs) {
      closing = true;
      clearTimeout(retryTimer);
      failQueue(new ConnectError(`the platform is shutting down: ${fn.name} takes no new requests`, Code.Unavailable));
      const stopping = [...slots];
      for (const slot of stopping) {
        clearTimeout(slot.idleTimer);
        slot.stopping = true;
        slot.instance.terminate();
      }
      await Promise.all(
        stopping.map(async ({ instance }) => {
          const bound = new AbortController();
          const exited = await Promise.race([instance.exited, sleep(timeoutMs, undefined, { signal: bound.signal }).catch(() => undefined)]);
          bound.abort();
          if (exited === undefined) {
            instance.kill();
            await instance.exited;
          }
        }),
      );
    },
    kill() {
      for (const slot of slots) slot.instance.kill();
    },
  };
}
