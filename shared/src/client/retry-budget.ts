export interface RetryBudgetOptions {
  /** Retries allowed per request sent, over the window. Default 0.2 (at most +20% load). */
  ratio?: number;
  /** Retries always allowed per second, so a quiet client can still retry. Default 5. */
  minRetriesPerSecond?: number;
  /** Window over which requests and retries are counted. Default 10000 ms. */
  windowMs?: number;
}

/**
 * Caps retries to a share of recent traffic, so that when a target struggles, retries cannot
 * multiply the load on it (the retry-storm failure mode). Counted in one-second slots.
 */
export class RetryBudget {
  private readonly ratio: number;
  private readonly floor: number;
  private readonly slots: number;
  private readonly requests: number[];
  private readonly retries: number[];
  private slotSecond = 0;

  constructor({ ratio = 0.2, minRetriesPerSecond = 5, windowMs = 10_000 }: RetryBudgetOptions = {}) {
    this.ratio = ratio;
    this.slots = Math.max(1, Math.ceil(windowMs / 1000));
    this.floor = minRetriesPerSecond * this.slots;
    this.requests = new Array<number>(this.slots).fill(0);
    this.retries = new Array<number>(this.slots).fill(0);
  }

  /** Counts a request sent (first attempts only). */
  recordRequest(now = Date.now()): void {
    this.requests[this.slot(now)]!++;
  }

  /** True, and counted, when one more retry fits the budget. */
  tryRetry(now = Date.now()): boolean {
    const slot = this.slot(now);
    const sum = (a: number[]) => a.reduce((s, n) => s + n, 0);
    if (sum(this.retries) + 1 > this.floor + this.ratio * sum(this.requests)) return false;
    this.retries[slot]!++;
    return true;
  }

  /** The slot of `now`, clearing the slots that went out of the window since last time. */
  private slot(now: number): number {
    const second = Math.floor(now / 1000);
    const elapsed = Math.min(second - this.slotSecond, this.slots);
    for (let i = 1; i <= elapsed; i++) {
      const s = (this.slotSecond + i) % this.slots;
      this.requests[s] = 0;
      this.retries[s] = 0;
    }
    if (elapsed > 0) this.slotSecond = second;
    return second % this.slots;
  }
}
