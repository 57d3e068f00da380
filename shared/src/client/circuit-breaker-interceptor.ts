import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, CountBreaker, handleWhen, type CircuitBreakerPolicy } from "cockatiel";
import { EitherBreaker } from "./either-breaker.js";

export interface CircuitBreakerOptions {
  /** Opens after this many failures in a row. Default 5. */
  consecutiveFailures?: number;
  /** …or when this share of the last `sampleSize` calls failed. Default 0.5. */
  failureRatio?: number;
  /** Calls the ratio is measured over. Default 20. */
  sampleSize?: number;
  /** Calls needed before the ratio counts. Default 10. */
  minimumCalls?: number;
  /** Time open before one half-open probe is let through. Default 5000 ms. */
  halfOpenAfterMs?: number;
}

/** Codes that say the target is in trouble; a caller's own mistake (invalid_argument…) does not count. */
const failureCodes = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Unknown, Code.Internal, Code.DataLoss]);

/** A circuit breaker (cockatiel) for one target function. */
export function createBreakerPolicy({
  consecutiveFailures = 5,
  failureRatio = 0.5,
  sampleSize = 20,
  minimumCalls = 10,
  halfOpenAfterMs = 5000,
}: CircuitBreakerOptions = {}): CircuitBreakerPolicy {
  return circuitBreaker(
    handleWhen((err) => failureCodes.has(ConnectError.from(err).code)),
    {
      halfOpenAfter: halfOpenAfterMs,
      breaker: new EitherBreaker([
        new ConsecutiveBreaker(consecutiveFailures),
        new CountBreaker({ threshold: failureRatio, size: sampleSize, minimumNumberOfCalls: minimumCalls }),
      ]),
    },
  );
}

/**
 * Fails calls to `target` at once with `unavailable` while its circuit is open, instead of
 * letting every caller wait for a timeout; a half-open probe closes it again.
 */
export function createCircuitBreakerInterceptor(target: string, policy: CircuitBreakerPolicy): Interceptor {
  return (next) =>
    async function breakCircuit(req) {
      try {
        return await policy.execute(() => next(req), req.signal);
      } catch (err) {
        if (err instanceof BrokenCircuitError) {
          throw new ConnectError(`circuit to function "${target}" is open after repeated failures: failing fast until a probe succeeds`, Code.Unavailable);
        }
        throw err;
      }
    };
}
