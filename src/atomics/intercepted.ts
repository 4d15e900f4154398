// The one interceptor of a lock's atomics: every LockAtomics operation, 32- and 64-bit,
// done on the memory itself (SC, as the global Atomics), after one hook, tick(). The role
// workers' instrumented atomics (invariants/probe-atomics) and the spin-budgeted ones
// (atomics/bounded) are subclasses that say what tick() does and the few calls they judge.
import { RAW_ATOMICS } from '../locks/atomics-router.js';
import { RAW_ATOMICS64 } from '../locks/atomics64.js';
import type { PreemptCount } from '../locks/calling-context.js';
import type { LockAtomics } from '../locks/contract.js';

// Orderings only matter to the weak-memory explorer: here every operation is SC, and the
// ordering arguments a lock passes are not read.
export abstract class InterceptedAtomics implements LockAtomics {
  /** `cpu`: the calling thread's preempt_count, as the lock's preempt_disable() and its callers change it. */
  constructor(protected readonly cpu: PreemptCount) {}

  /** Runs before each operation (not preempt, warn); a spin-loop cpu_relax() counts as one. */
  protected abstract tick(): void;

  /** A WARN_ON/BUG_ON in the lock fired; `message` names its file and line. */
  abstract warn(message: string): void;

  load(mem: Int32Array, index: number): number {
    this.tick();
    return RAW_ATOMICS.load(mem, index);
  }
  store(mem: Int32Array, index: number, value: number): number {
    this.tick();
    return RAW_ATOMICS.store(mem, index, value);
  }
  add(mem: Int32Array, index: number, value: number): number {
    this.tick();
    return RAW_ATOMICS.add(mem, index, value);
  }
  sub(mem: Int32Array, index: number, value: number): number {
    this.tick();
    return RAW_ATOMICS.sub(mem, index, value);
  }
  and(mem: Int32Array, index: number, value: number): number {
    this.tick();
    return RAW_ATOMICS.and(mem, index, value);
  }
  or(mem: Int32Array, index: number, value: number): number {
    this.tick();
    return RAW_ATOMICS.or(mem, index, value);
  }
  xor(mem: Int32Array, index: number, value: number): number {
    this.tick();
    return RAW_ATOMICS.xor(mem, index, value);
  }
  exchange(mem: Int32Array, index: number, value: number): number {
    this.tick();
    return RAW_ATOMICS.exchange(mem, index, value);
  }
  compareExchange(mem: Int32Array, index: number, expected: number, replacement: number): number {
    this.tick();
    return RAW_ATOMICS.compareExchange(mem, index, expected, replacement);
  }
  // 64-bit atomics (atomic64_t): one operation each, as the 32-bit ones
  load64(mem: Int32Array, index: number): bigint {
    this.tick();
    return RAW_ATOMICS64.load64(mem, index);
  }
  store64(mem: Int32Array, index: number, value: bigint): bigint {
    this.tick();
    return RAW_ATOMICS64.store64(mem, index, value);
  }
  add64(mem: Int32Array, index: number, value: bigint): bigint {
    this.tick();
    return RAW_ATOMICS64.add64(mem, index, value);
  }
  and64(mem: Int32Array, index: number, value: bigint): bigint {
    this.tick();
    return RAW_ATOMICS64.and64(mem, index, value);
  }
  or64(mem: Int32Array, index: number, value: bigint): bigint {
    this.tick();
    return RAW_ATOMICS64.or64(mem, index, value);
  }
  xor64(mem: Int32Array, index: number, value: bigint): bigint {
    this.tick();
    return RAW_ATOMICS64.xor64(mem, index, value);
  }
  exchange64(mem: Int32Array, index: number, value: bigint): bigint {
    this.tick();
    return RAW_ATOMICS64.exchange64(mem, index, value);
  }
  compareExchange64(mem: Int32Array, index: number, expected: bigint, replacement: bigint): bigint {
    this.tick();
    return RAW_ATOMICS64.compareExchange64(mem, index, expected, replacement);
  }
  /** `call`: the kernel call that sleeps (a C lock's msleep ...), for a subclass's report. */
  wait(mem: Int32Array, index: number, value: number, timeout?: number, _call?: string): 'ok' | 'not-equal' | 'timed-out' {
    this.tick();
    return RAW_ATOMICS.wait(mem, index, value, timeout);
  }
  notify(mem: Int32Array, index: number, count?: number): number {
    this.tick();
    return RAW_ATOMICS.notify(mem, index, count);
  }
  fence(): void {
    this.tick();
  }
  plainLoad(mem: Int32Array, index: number): number {
    this.tick();
    return RAW_ATOMICS.load(mem, index);
  }
  plainStore(mem: Int32Array, index: number, value: number): void {
    this.tick();
    RAW_ATOMICS.store(mem, index, value);
  }
  relax(): void {
    this.tick();
  }
  preempt(delta: number): number {
    return (this.cpu.preemptCount += delta);
  }
}
