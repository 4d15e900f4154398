// writer-waited and reader-waited: a lock call that goes on while nothing it may wait for
// is going on.
//
// A correct lock call is blocked only by a thread inside a lock operation on the same
// zspage (a 6.15 reader holding the inner spinlock, say), or by a holder it may wait for:
// a readLock by a writer. Everything else lets it finish within a few operations.
// SHADOW.OPS counts every start and end of a lock operation on the zspage, and every reader
// falling asleep or waking there, with how many operations are in progress. Between two
// looks that find it unchanged, with this call the only operation in progress, nobody else
// entered, left or was inside a lock operation there, and the shadow's holders (asleep or
// not) stayed as they were. Operations this thread performed in such stretches are proof
// that it spun alone, whatever the OS did: preemption and load cannot make a thread perform
// atomic operations. ALONE_OPS of them while only sleeping readers held the zspage:
// - in writeTrylock: it waits for sleeping readers: writer-waited;
// - in readLock (so no writer held it): readers block readers: reader-waited.
// (Waiting out a reader that is awake is bounded: the old rwlock with readers that never
// sleep is allowed to.)
// The thread's CPU time in the call (schedstat) goes into the message as a second witness.
import { OPS_IN_MASK, readersIn, SHADOW, writersIn } from '../arena/layout.js';
import { RAW_ATOMICS as Atomics } from './global-atomics.js';
import { ThreadCpu } from './thread-cpu.js';
import type { ViolationSink } from './violation.js';

/** Operations performed alone in one call before it is judged to wait. A correct lock call,
 *  alone with the lock's state fixed, performs a handful: any bound above that is sound; a low
 *  one catches a wait for a reader that sleeps only briefly. */
export const ALONE_OPS = 1024;

export class SpinWatch {
  private writer = false;
  private z = -1;
  private shadowAt = -1;
  /** SHADOW.OPS at the last look (NaN: no look yet in this call). */
  private lastOps = NaN;
  private alone = 0;
  private looks = 0;
  private cpuAtFirstLook = NaN;
  private reported = false;
  private looking = false;
  private readonly cpu = new ThreadCpu();

  constructor(
    private readonly mem: Int32Array,
    private readonly sink: ViolationSink,
  ) {}

  // Every lock call starts one; few ever look: the rest of the state is reset at the first look.
  start(writer: boolean, z: number, shadowAt: number): void {
    this.writer = writer;
    this.z = z;
    this.shadowAt = shadowAt;
    this.looks = 0;
  }

  /** Called every `every` operations of the call. */
  look(every: number): void {
    if (this.looks === 0) {
      this.lastOps = NaN;
      this.alone = 0;
      this.reported = false;
    }
    // The harness's own Atomics calls below may be routed through the lock's atomics.
    if (this.looking || this.reported) return;
    this.looking = true;
    try {
      this.check(every);
    } finally {
      this.looking = false;
    }
  }

  private check(every: number): void {
    const { mem } = this;
    const s = this.shadowAt;
    // A call that spins this long pays for its clock (about 16 us a read); short ones never do.
    if (this.looks++ === 0) this.cpuAtFirstLook = this.cpu.ns();
    // 32-bit loads of the halves of the HOLDERS|OPS word the core changes with 64-bit adds: an
    // aligned half is read whole (tear-free) and in the word's coherence order, and OPS read
    // twice, unchanged, still says that the holders read between were the holders of that span.
    const ops = Atomics.load(mem, s + SHADOW.OPS);
    const holders = Atomics.load(mem, s + SHADOW.HOLDERS);
    const readers = readersIn(holders);
    const writers = writersIn(holders);
    const sleepers = Atomics.load(mem, s + SHADOW.SLEEPERS);
    const still = Atomics.load(mem, s + SHADOW.OPS) === ops;
    const aloneSinceLast = still && ops === this.lastOps && (ops & OPS_IN_MASK) === 1;
    this.lastOps = still ? ops : NaN;
    if (!aloneSinceLast || readers === 0 || sleepers !== readers || writers !== 0) return;
    this.alone += every;
    if (this.alone < ALONE_OPS) return;
    this.reported = true;
    // schedstat moves at the scheduler's ticks: a short spin may show none.
    const cpuMs = (this.cpu.ns() - this.cpuAtFirstLook) / 1e6;
    const cpu = cpuMs > 0 ? ` (${cpuMs.toFixed(2)} ms of its thread's CPU)` : '';
    const held = `only sleeping readers (${readers})`;
    const alone = `${this.alone} atomic operations in one call with no other thread in a lock operation on the zspage${cpu}`;
    if (this.writer) {
      this.sink.report('writer-waited', `writeTrylock on zspage ${this.z} spun ${alone}, while ${held} held it: it waits for sleeping readers`, this.z);
    } else {
      this.sink.report(
        'reader-waited',
        `readLock on zspage ${this.z} spun ${alone}, while ${held} held it: readers must be blocked only by writers`,
        this.z,
      );
    }
  }
}
