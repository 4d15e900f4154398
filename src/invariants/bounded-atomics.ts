// The atomics the coordinator hands the lock under test: a call that spins through
// more operations than any lock needs with nobody else running has hung.
import { RAW_ATOMICS64 } from '../locks/atomics64.js';
import type { PreemptCount } from '../locks/calling-context.js';
import type { LockAtomics } from '../locks/contract.js';
import { RAW_ATOMICS } from './global-atomics.js';

export class SpinBudgetExceeded extends Error {
  override name = 'SpinBudgetExceeded';
}

export class BoundedAtomics implements LockAtomics {
  private left = 0;

  /** `cpu`: the calling thread's preempt_count, as the lock's preempt_disable() and its callers change it. */
  constructor(
    private readonly budget: number,
    private readonly cpu: PreemptCount = { preemptCount: 0 },
  ) {
    this.left = budget;
  }

  /** Starts a new budget for the next operation. */
  reset(): void {
    this.left = this.budget;
  }

  private spend(): void {
    if (--this.left < 0) throw new SpinBudgetExceeded(`spun through ${this.budget} atomic operations`);
  }

  load(m: Int32Array, i: number) {
    this.spend();
    return RAW_ATOMICS.load(m, i);
  }
  store(m: Int32Array, i: number, v: number) {
    this.spend();
    return RAW_ATOMICS.store(m, i, v);
  }
  add(m: Int32Array, i: number, v: number) {
    this.spend();
    return RAW_ATOMICS.add(m, i, v);
  }
  sub(m: Int32Array, i: number, v: number) {
    this.spend();
    return RAW_ATOMICS.sub(m, i, v);
  }
  and(m: Int32Array, i: number, v: number) {
    this.spend();
    return RAW_ATOMICS.and(m, i, v);
  }
  or(m: Int32Array, i: number, v: number) {
    this.spend();
    return RAW_ATOMICS.or(m, i, v);
  }
  xor(m: Int32Array, i: number, v: number) {
    this.spend();
    return RAW_ATOMICS.xor(m, i, v);
  }
  exchange(m: Int32Array, i: number, v: number) {
    this.spend();
    return RAW_ATOMICS.exchange(m, i, v);
  }
  compareExchange(m: Int32Array, i: number, e: number, r: number) {
    this.spend();
    return RAW_ATOMICS.compareExchange(m, i, e, r);
  }
  load64(m: Int32Array, i: number) {
    this.spend();
    return RAW_ATOMICS64.load64(m, i);
  }
  store64(m: Int32Array, i: number, v: bigint) {
    this.spend();
    return RAW_ATOMICS64.store64(m, i, v);
  }
  add64(m: Int32Array, i: number, v: bigint) {
    this.spend();
    return RAW_ATOMICS64.add64(m, i, v);
  }
  and64(m: Int32Array, i: number, v: bigint) {
    this.spend();
    return RAW_ATOMICS64.and64(m, i, v);
  }
  or64(m: Int32Array, i: number, v: bigint) {
    this.spend();
    return RAW_ATOMICS64.or64(m, i, v);
  }
  xor64(m: Int32Array, i: number, v: bigint) {
    this.spend();
    return RAW_ATOMICS64.xor64(m, i, v);
  }
  exchange64(m: Int32Array, i: number, v: bigint) {
    this.spend();
    return RAW_ATOMICS64.exchange64(m, i, v);
  }
  compareExchange64(m: Int32Array, i: number, e: bigint, r: bigint) {
    this.spend();
    return RAW_ATOMICS64.compareExchange64(m, i, e, r);
  }
  // Nobody else runs: a sleep could only end by its timeout, so it is capped.
  wait(m: Int32Array, i: number, v: number, timeout?: number) {
    this.spend();
    return RAW_ATOMICS.wait(m, i, v, Math.min(timeout ?? Infinity, 1));
  }
  notify(m: Int32Array, i: number, count?: number) {
    this.spend();
    return RAW_ATOMICS.notify(m, i, count);
  }
  fence() {
    this.spend();
  }
  plainLoad(m: Int32Array, i: number) {
    this.spend();
    return RAW_ATOMICS.load(m, i);
  }
  plainStore(m: Int32Array, i: number, v: number) {
    this.spend();
    RAW_ATOMICS.store(m, i, v);
  }
  relax() {
    this.spend();
  }
  preempt(delta: number) {
    return (this.cpu.preemptCount += delta);
  }
  /** The first WARN_ON/BUG_ON a (C) lock fired since the last takeWarning(). */
  private warning: string | null = null;
  warn(message: string) {
    this.warning ??= message;
  }
  takeWarning(): string | null {
    const w = this.warning;
    this.warning = null;
    return w;
  }
}
