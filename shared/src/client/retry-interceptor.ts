import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { ExponentialBackoff, handleWhen, retry } from "cockatiel";
import { RetryBudget } from "./retry-budget.js";
import { requestNeverLeft } from "./request-never-left.js";

export interface RetryOptions {
  /** Attempts in all, the first included. Default 3. */
  maxAttempts?: number;
  /** First back-off delay; later ones grow exponentially, with jitter. Default 25 ms. */
  initialDelayMs?: number;
  /** Longest back-off delay. Default 1000 ms. */
  maxDelayMs?: number;
  /** Shared budget; default a new `RetryBudget` with its defaults. */
  budget?: RetryBudget;
}

const retryableCodes = new Set([Code.Unavailable, Code.Aborted]);

/**
 * Retries unary calls with exponential back-off and jitter (cockatiel), within the call's one
 * deadline and the retry budget. Only methods marked `idempotency_level = NO_SIDE_EFFECTS` or
 * `IDEMPOTENT` in the proto are retried after `unavailable`/`aborted`; any method is retried
 * when the request provably never left (connection refused, name not found). Streams are not
 * retried: their input cannot be replayed.
 */
export function createRetryInterceptor({ maxAttempts = 3, initialDelayMs = 25, maxDelayMs = 1000, budget = new RetryBudget() }: RetryOptions = {}): Interceptor {
  const backoff = new ExponentialBackoff({ initialDelay: initialDelayMs, maxDelay: maxDelayMs });
  return (next) =>
    async function retryCall(req) {
      if (req.stream) return next(req);
      budget.recordRequest();
      const idempotent = req.method.idempotency !== Idempotency.IDEMPOTENCY_UNKNOWN;
      const policy = retry(
        handleWhen((err) => {
          const e = ConnectError.from(err);
          const worthIt = requestNeverLeft(err) || (idempotent && retryableCodes.has(e.code));
          return worthIt && !req.signal.aborted && budget.tryRetry();
        }),
        { maxAttempts: maxAttempts - 1, backoff },
      );
      return policy.execute(() => next(req), req.signal);
    };
}
