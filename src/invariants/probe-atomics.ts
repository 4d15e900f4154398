// The atomics object handed to the lock under test. It passes every operation
// through, and sees two things a lock must not do:
// - sleep (atomics.wait) in atomic context: a writer acquiring or holding, a reader
//   acquiring under the pool read lock (might_sleep() with preempt_count > 0);
// - wait where it must not (see spin-watch): a writeTrylock that waits for sleeping
//   readers (writer-waited), a readLock that waits for readers (reader-waited).
import { RAW_ATOMICS64 } from '../locks/atomics64.js';
import type { LockAtomics, SpinlockTracker } from '../locks/contract.js';
import { RAW_ATOMICS } from './global-atomics.js';
import { COV, hit, newCoverage } from '../model/coverage.js';
import type { Cpu } from '../model/kernel-locks.js';
import { LOCK_SITES } from '../model/lock-sites.js';
import { SpinWatch } from './spin-watch.js';
import type { ViolationSink } from './violation.js';

/** Operations between two looks at the zspage while one lock call goes on. */
const LOOK_EVERY = 64;

export class ProbeAtomics implements LockAtomics {
  /** Operations in the lock call being watched; -1 while none is. */
  private ops = -1;
  readonly watch: SpinWatch;
  private reading = false;
  /** The worker's lockdep, when on: a C lock's shim reports its spinlocks there. */
  lockdep?: SpinlockTracker;
  /** Race noise, run before each operation (src/roles/noise.ts); null: none. */
  beforeOp: (() => void) | null = null;

  constructor(
    private readonly cpu: Pick<Cpu, 'preemptCount' | 'lockOp' | 'lockCaller'>,
    shadowMem: Int32Array,
    private readonly sink: ViolationSink,
    private readonly coverage: Float64Array = newCoverage(),
  ) {
    this.watch = new SpinWatch(shadowMem, sink);
  }

  /** Inside a readLock call: a failed compareExchange is a reader's retry (coverage). */
  armRead(): void {
    this.reading = true;
  }

  disarmRead(): void {
    this.reading = false;
  }

  /** A readLock (reader) or writeTrylock (writer) call on the zspage whose shadow is at `shadowAt` starts. */
  watchCall(writer: boolean, z: number, shadowAt: number): void {
    this.watch.start(writer, z, shadowAt);
    this.ops = 0;
  }

  unwatchCall(): void {
    this.ops = -1;
  }

  // A call that does more than a few operations is looked at every LOOK_EVERY of them.
  private tick(): void {
    if (this.beforeOp !== null) this.beforeOp();
    if (this.ops >= 0 && (++this.ops & (LOOK_EVERY - 1)) === 0) this.watch.look(LOOK_EVERY);
  }

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
    const seen = RAW_ATOMICS.compareExchange(mem, index, expected, replacement);
    if (this.reading && seen !== expected) hit(this.coverage, COV.READER_CAS_RETRY);
    return seen;
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
    const seen = RAW_ATOMICS64.compareExchange64(mem, index, expected, replacement);
    if (this.reading && seen !== BigInt.asIntN(64, expected)) hit(this.coverage, COV.READER_CAS_RETRY);
    return seen;
  }
  /** `call`: the kernel call that sleeps (a C lock's msleep ...), named in the report. */
  wait(mem: Int32Array, index: number, value: number, timeout?: number, call?: string): 'ok' | 'not-equal' | 'timed-out' {
    if (this.cpu.preemptCount > 0) {
      this.sink.report('slept-in-atomic', `the lock called ${call ?? 'atomics.wait'} with preempt_count ${this.cpu.preemptCount}`);
    }
    return RAW_ATOMICS.wait(mem, index, value, timeout);
  }
  notify(mem: Int32Array, index: number, count?: number): number {
    this.tick();
    return RAW_ATOMICS.notify(mem, index, count);
  }
  // Orderings only matter to the weak-memory explorer; stress runs execute them SC.
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
  // A spin-loop iteration counts as an operation: a trylock spinning in cpu_relax() is seen.
  relax(): void {
    this.tick();
  }
  preempt(delta: number): number {
    return (this.cpu.preemptCount += delta);
  }
  /** A WARN names the lock operation and the kernel function that called it, and the context. */
  warn(message: string): void {
    const { lockOp, lockCaller, preemptCount } = this.cpu;
    const where = lockOp < 0 ? '' : ` in ${LOCK_SITES[lockOp]} called from ${LOCK_SITES[lockCaller] ?? '?'} (preempt_count ${preemptCount})`;
    this.sink.report('warn', message + where);
  }
}
