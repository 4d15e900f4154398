// The atomics object handed to the lock under test. It passes every operation
// through (atomics/intercepted), and sees two things a lock must not do:
// - sleep (atomics.wait) in atomic context: a writer acquiring or holding, a reader
//   acquiring under the pool read lock (might_sleep() with preempt_count > 0);
// - wait where it must not (see spin-watch): a writeTrylock that waits for sleeping
//   readers (writer-waited), a readLock that waits for readers (reader-waited).
import { InterceptedAtomics } from '../atomics/intercepted.js';
import type { SpinlockTracker } from '../locks/contract.js';
import { RAW_ATOMICS } from './global-atomics.js';
import { COV, hit, newCoverage } from '../model/coverage.js';
import type { Cpu } from '../model/kernel-locks.js';
import { LOCK_SITES } from '../model/lock-sites.js';
import { SpinWatch } from './spin-watch.js';
import type { ViolationSink } from './violation.js';

/** Operations between two looks at the zspage while one lock call goes on. */
const LOOK_EVERY = 64;

export class ProbeAtomics extends InterceptedAtomics {
  /** Operations in the lock call being watched; -1 while none is. */
  private ops = -1;
  readonly watch: SpinWatch;
  private reading = false;
  /** The worker's lockdep, when on: a C lock's shim reports its spinlocks there. */
  lockdep?: SpinlockTracker;
  /** Race noise, run before each operation (src/roles/noise.ts); null: none. */
  beforeOp: (() => void) | null = null;

  constructor(
    protected override readonly cpu: Pick<Cpu, 'preemptCount' | 'lockOp' | 'lockCaller'>,
    shadowMem: Int32Array,
    private readonly sink: ViolationSink,
    private readonly coverage: Float64Array = newCoverage(),
  ) {
    super(cpu);
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
  protected tick(): void {
    if (this.beforeOp !== null) this.beforeOp();
    if (this.ops >= 0 && (++this.ops & (LOOK_EVERY - 1)) === 0) this.watch.look(LOOK_EVERY);
  }

  // The CAS a lock's every acquire takes: no super call, which would add a frame to inline.
  override compareExchange(mem: Int32Array, index: number, expected: number, replacement: number): number {
    this.tick();
    const seen = RAW_ATOMICS.compareExchange(mem, index, expected, replacement);
    if (this.reading && seen !== expected) hit(this.coverage, COV.READER_CAS_RETRY);
    return seen;
  }
  override compareExchange64(mem: Int32Array, index: number, expected: bigint, replacement: bigint): bigint {
    const seen = super.compareExchange64(mem, index, expected, replacement);
    if (this.reading && seen !== BigInt.asIntN(64, expected)) hit(this.coverage, COV.READER_CAS_RETRY);
    return seen;
  }
  /** A sleep is no operation of the spin watch's; one in atomic context is reported, naming its kernel call. */
  override wait(mem: Int32Array, index: number, value: number, timeout?: number, call?: string): 'ok' | 'not-equal' | 'timed-out' {
    if (this.cpu.preemptCount > 0) {
      this.sink.report('slept-in-atomic', `the lock called ${call ?? 'atomics.wait'} with preempt_count ${this.cpu.preemptCount}`);
    }
    return RAW_ATOMICS.wait(mem, index, value, timeout);
  }
  /** A WARN names the lock operation and the kernel function that called it, and the context. */
  warn(message: string): void {
    const { lockOp, lockCaller, preemptCount } = this.cpu;
    const where = lockOp < 0 ? '' : ` in ${LOCK_SITES[lockOp]} called from ${LOCK_SITES[lockCaller] ?? '?'} (preempt_count ${preemptCount})`;
    this.sink.report('warn', message + where);
  }
}
