import type { Subscription } from "./subscription.js";

/**
 * Checks a function's subscriptions together: names must be unique, since each becomes a
 * Trigger (or KafkaSource) named after it. Throws a `TypeError` naming the repeated one.
 *
 * @example
 * validateSubscriptions([on(UserCreatedSchema, created), on(UserDeletedSchema, deleted)]);
 */
export function validateSubscriptions(subscriptions: readonly Subscription[]): void {
  const seen = new Set<string>();
  for (const { name } of subscriptions) {
    if (seen.has(name)) throw new TypeError(`two subscriptions are named "${name}": give one of them another name`);
    seen.add(name);
  }
}
