/** The runtime's own bounds, as its container reads them (KINETIC_MAX_TIMEOUT_MS, KINETIC_DRAIN_TIMEOUT_MS). */
export interface RuntimeTimeouts {
  /** Longest call (unary or stream) the runtime lets a client ask for, and the deadline of calls that ask none. */
  readonly maxRequestMs: number;
  /** How long in-flight calls may run after SIGTERM before they are cut off. */
  readonly drainMs: number;
}

/** A Revision's request-routing timeouts, in seconds. */
export interface RevisionTimeouts {
  readonly timeoutSeconds: number;
  readonly responseStartTimeoutSeconds: number;
  readonly idleTimeoutSeconds: number;
}

/**
 * The queue-proxy's quiet period: on termination its `/wait-for-drain` endpoint (the user
 * container's preStop hook) returns only after this long without new requests, so SIGTERM
 * reaches the function this late (knative/serving `pkg/queue/sharedmain`, `drainSleepDuration`).
 */
export const queueProxyDrainSeconds = 30;

/**
 * What the runtime needs after its drain bound: 1 s before sockets are destroyed, up to 2 s to
 * relay the outbox, 5 s to close the Postgres pool, 3 s to flush spans, plus Kafka and Redis
 * disconnects (`serveFunction`'s `close`), rounded up.
 */
export const shutdownAllowanceSeconds = 15;

/**
 * Head start of Knative's timers over the runtime's: the activator and queue-proxy start
 * counting before the request reaches the function (proxy hops, a cold start behind the
 * activator), so the runtime's own `deadline_exceeded` must fire first.
 */
export const deadlineMarginSeconds = 10;

/** Knative's `max-revision-timeout-seconds` when `config-defaults` does not raise it. */
export const defaultMaxRevisionTimeoutSeconds = 600;

/**
 * The timeouts that let every call the runtime allows finish and let the runtime drain:
 * `timeoutSeconds` covers the longest call plus the margin, and, being also the pod's
 * `terminationGracePeriodSeconds`, the queue-proxy's quiet period, the drain and the shutdown;
 * the response may start as late as the call may last (a unary response starts when it ends);
 * idle responses are never cut (a quiet stream is bounded by its deadline). Throws a `TypeError`
 * naming the bound when the result exceeds `maxRevisionTimeoutSeconds`.
 *
 * @example
 * revisionTimeouts({ maxRequestMs: 300_000, drainMs: 25_000 }) // { timeoutSeconds: 310, responseStartTimeoutSeconds: 310, idleTimeoutSeconds: 0 }
 */
export function revisionTimeouts(runtime: RuntimeTimeouts, maxRevisionTimeoutSeconds = defaultMaxRevisionTimeoutSeconds): RevisionTimeouts {
  const timeoutSeconds = Math.max(longestCallSeconds(runtime), terminationSeconds(runtime));
  const timeouts = { timeoutSeconds, responseStartTimeoutSeconds: timeoutSeconds, idleTimeoutSeconds: 0 };
  const problems = revisionTimeoutProblems(timeouts, runtime, maxRevisionTimeoutSeconds);
  if (problems.length > 0) throw new TypeError(problems.join("; "));
  return timeouts;
}

/**
 * What is wrong with `timeouts` for a runtime with the given bounds, one sentence per broken
 * rule naming the field and the fix; empty when they hold. The rules `revisionTimeouts` meets.
 *
 * @example
 * revisionTimeoutProblems({ timeoutSeconds: 300, responseStartTimeoutSeconds: 300, idleTimeoutSeconds: 0 }, { maxRequestMs: 300_000, drainMs: 25_000 })
 * // ["timeoutSeconds 300 is below 310: …"]
 */
export function revisionTimeoutProblems(
  timeouts: RevisionTimeouts,
  runtime: RuntimeTimeouts,
  maxRevisionTimeoutSeconds = defaultMaxRevisionTimeoutSeconds,
): string[] {
  const { timeoutSeconds, responseStartTimeoutSeconds, idleTimeoutSeconds } = timeouts;
  const call = longestCallSeconds(runtime);
  const termination = terminationSeconds(runtime);
  const problems: string[] = [];
  if (timeoutSeconds < call) {
    problems.push(`timeoutSeconds ${timeoutSeconds} is below ${call}: Knative would cut calls the runtime allows (KINETIC_MAX_TIMEOUT_MS ${runtime.maxRequestMs} + ${deadlineMarginSeconds} s); raise it or lower KINETIC_MAX_TIMEOUT_MS`);
  }
  if (timeoutSeconds < termination) {
    problems.push(`timeoutSeconds ${timeoutSeconds} is below ${termination}: as terminationGracePeriodSeconds it must cover the queue-proxy's ${queueProxyDrainSeconds} s drain, KINETIC_DRAIN_TIMEOUT_MS ${runtime.drainMs} and ${shutdownAllowanceSeconds} s of shutdown`);
  }
  if (timeoutSeconds > maxRevisionTimeoutSeconds) {
    problems.push(`timeoutSeconds ${timeoutSeconds} exceeds max-revision-timeout-seconds ${maxRevisionTimeoutSeconds}: lower KINETIC_MAX_TIMEOUT_MS or KINETIC_DRAIN_TIMEOUT_MS, or raise the cluster's bound (and the activator's terminationGracePeriodSeconds)`);
  }
  if (responseStartTimeoutSeconds < call || responseStartTimeoutSeconds > timeoutSeconds) {
    problems.push(`responseStartTimeoutSeconds ${responseStartTimeoutSeconds} must be from ${call} to timeoutSeconds: a unary response starts only when the call ends`);
  }
  if (idleTimeoutSeconds !== 0 && idleTimeoutSeconds < call) {
    problems.push(`idleTimeoutSeconds ${idleTimeoutSeconds} must be 0 (no limit) or at least ${call}: calls write nothing until they answer, streams may be quiet until their deadline`);
  }
  return problems;
}

/** Internal: the seconds Knative must allow one call. */
function longestCallSeconds({ maxRequestMs }: RuntimeTimeouts): number {
  return Math.ceil(maxRequestMs / 1000) + deadlineMarginSeconds;
}

/** Internal: the seconds from the pod's deletion to the runtime's exit, at worst. */
function terminationSeconds({ drainMs }: RuntimeTimeouts): number {
  return queueProxyDrainSeconds + Math.ceil(drainMs / 1000) + shutdownAllowanceSeconds;
}
