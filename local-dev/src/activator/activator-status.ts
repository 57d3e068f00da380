import type { InstanceState } from "./start-function-instance.js";

/** One instance in `GET /_kinetic/status`. */
export interface InstanceStatus {
  readonly id: number;
  readonly pid: number;
  readonly state: InstanceState;
  /** Its own address (the activator's is the function's `url`). */
  readonly url: string | undefined;
  readonly inFlight: number;
  /** Requests it was given. */
  readonly requests: number;
  readonly startedAt: string;
}

/** The last cold start of a function. */
export interface ColdStart {
  /** Spawn to `/readyz` answering 200. */
  readonly readyMs: number;
  /** The request that woke the function: arrival to the first byte of its response; undefined until it came. */
  firstByteMs: number | undefined;
  readonly at: string;
}

/** One function in `GET /_kinetic/status`. */
export interface FunctionStatus {
  readonly name: string;
  readonly description: string;
  /** Its stable address on the activator, like a Kubernetes Service's ClusterIP. */
  readonly url: string;
  /** Host names the entry port routes to it (any namespace, any port). */
  readonly hosts: readonly string[];
  readonly services: readonly string[];
  readonly scaling: {
    readonly minScale: number;
    readonly maxScale: number;
    readonly target: number;
    readonly containerConcurrency: number;
    /** Idle time after which an instance is stopped. */
    readonly windowSeconds: number;
  };
  readonly ready: number;
  readonly starting: number;
  readonly draining: number;
  /** Requests waiting for an instance. */
  readonly queued: number;
  /** Requests being served. */
  readonly inFlight: number;
  /** Requests received since the start. */
  readonly requests: number;
  /** Requests the activator failed (no instance, queue full, instance died) and failed starts. */
  readonly errors: number;
  /** The last few of those, newest last. */
  readonly recentErrors: readonly { readonly at: string; readonly message: string }[];
  readonly lastColdStart: ColdStart | undefined;
  readonly instances: readonly InstanceStatus[];
}

/** `GET /_kinetic/status` on the entry port. */
export interface ActivatorStatus {
  /** The entry port's address. */
  readonly url: string;
  readonly functions: readonly FunctionStatus[];
}
