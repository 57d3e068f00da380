/**
 * Whether Knative retries a delivery answered with `status`: the Eventing data-plane contract's
 * 404 (endpoint does not exist), 409 (conflict, processing in progress), 429 (overloaded) and
 * every 5xx, plus 408 (request timeout), which the Kafka Broker's dispatcher also retries. Any
 * other non-2xx status goes to the dead-letter sink at once. Network errors and timeouts, which
 * have no status, are retried too.
 *
 * @example
 * isRetryableStatus(503) // true; isRetryableStatus(400) // false
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 404 || status === 408 || status === 409 || status === 429;
}
