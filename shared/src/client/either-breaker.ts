import type { CircuitState, IBreaker } from "cockatiel";

/** Opens when any of its breakers would: e.g. consecutive failures OR a failure ratio. */
export class EitherBreaker implements IBreaker {
  constructor(private readonly breakers: readonly IBreaker[]) {}

  get state(): unknown {
    return this.breakers.map((b) => b.state);
  }

  set state(value: unknown) {
    (value as unknown[]).forEach((s, i) => (this.breakers[i]!.state = s));
  }

  success(state: CircuitState): void {
    for (const b of this.breakers) b.success(state);
  }

  failure(state: CircuitState): boolean {
    // Every breaker must see every failure, so no short-circuit.
    return this.breakers.map((b) => b.failure(state)).includes(true);
  }
}
