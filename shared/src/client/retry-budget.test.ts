import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RetryBudget } from "./retry-budget.js";

describe("retry budget", () => {
  it("should allow the floor of retries per second even without traffic", () => {
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 2, windowMs: 1000 });
    assert.equal(budget.tryRetry(0), true);
    assert.equal(budget.tryRetry(0), true);
    assert.equal(budget.tryRetry(0), false);
  });

  it("should allow retries in proportion to requests", () => {
    const budget = new RetryBudget({ ratio: 0.1, minRetriesPerSecond: 0, windowMs: 10_000 });
    for (let i = 0; i < 100; i++) budget.recordRequest(5000);
    let allowed = 0;
    while (budget.tryRetry(5000)) allowed++;
    assert.equal(allowed, 10);
  });

  it("should forget requests and retries that left the window", () => {
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 1, windowMs: 2000 });
    assert.equal(budget.tryRetry(10_000), true);
    assert.equal(budget.tryRetry(10_500), true);
    assert.equal(budget.tryRetry(11_000), false);
    assert.equal(budget.tryRetry(12_100), true, "the first second's retry fell out of the window");
  });
});
