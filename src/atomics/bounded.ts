// The atomics the coordinator hands the lock under test: a call that spins through
// more operations than any lock needs with nobody else running has hung.
import type { PreemptCount } from '../locks/calling-context.js';
import { InterceptedAtomics } from './intercepted.js';

export class SpinBudgetExceeded extends Error {
  override name = 'SpinBudgetExceeded';
}

export class BoundedAtomics extends InterceptedAtomics {
  private left = 0;
  /** The first WARN_ON/BUG_ON a (C) lock fired since the last takeWarning(). */
  private warning: string | null = null;

  constructor(
    private readonly budget: number,
    cpu: PreemptCount = { preemptCount: 0 },
  ) {
    super(cpu);
    this.left = budget;
  }

  /** Starts a new budget for the next operation. */
  reset(): void {
    this.left = this.budget;
  }

  protected tick(): void {
    if (--this.left < 0) throw new SpinBudgetExceeded(`spun through ${this.budget} atomic operations`);
  }

  // Nobody else runs: a sleep could only end by its timeout, so it is capped.
  override wait(mem: Int32Array, index: number, value: number, timeout?: number): 'ok' | 'not-equal' | 'timed-out' {
    return super.wait(mem, index, value, Math.min(timeout ?? Infinity, 1));
  }

  warn(message: string): void {
    this.warning ??= message;
  }

  takeWarning(): string | null {
    const w = this.warning;
    this.warning = null;
    return w;
  }
}
