// Shadow held-state per zspage, checked right after every acquire (as locktorture
// does): a writer must find nobody inside, a reader no writer. The shadow is
// entered after the real acquire and left before the real release, so it only
// ever under-states who is inside: whatever it shows is true.
//
// Every lock operation is bracketed on SHADOW.OPS (start and end), and a reader's falling
// asleep and waking count there too. The shadow's holders change only inside those brackets,
// so that "nobody else is in a lock operation here" also means "the holders, asleep or
// not, stayed as shown" (spin-watch). The flight recorder logs
// each operation with the bracket values, which order it among the zspage's others.
import { HOLDER, OPS_ENTER, OPS_EVENT, OPS_IN_MASK, OPS_LEAVE, readersIn, readersWaiting, SHADOW, writersIn } from '../arena/layout.js';
import { COV, hit, newCoverage } from '../model/coverage.js';
import type { ZspageLockHooks } from '../model/zs.js';
import { FLIGHT_OP, FLIGHT_STATUS } from './flight-recorder.js';
import { STATE } from './held-state.js';
import type { ProbeAtomics } from './probe-atomics.js';
import type { ShadowCore } from './shadow-core.js';
import type { ViolationSink } from './violation.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

const { RETURNED, FAILED } = FLIGHT_STATUS;

/** Timing of the writer's lock steps, for the histograms, and its torture delay. */
export interface WriterTiming {
  trylock(ns: number, ok: boolean): void;
  writeSection(ns: number): void;
  /** Called holding the write lock, just before it is released. */
  beforeRelease(): void;
}

export class ShadowHooks implements ZspageLockHooks {
  private trylockStart = 0;
  private writeStart = 0;
  private sawReaders = false;
  private sawWriter = false;
  /** SHADOW.OPS just after this trylock entered. */
  private trylockOps = 0;
  /** HOLDER.WAITING while this reader, in readLock, is counted as waiting for a writer; else 0. */
  private waiting = 0;

  constructor(
    private readonly mem: Int32Array,
    /** The worker's 64-bit shadow updates, held state and flight recorder ring (one call an edge). */
    private readonly core: ShadowCore,
    private readonly sink: ViolationSink,
    private readonly probe: ProbeAtomics,
    private readonly timing: WriterTiming | null,
    /** Where the protocol states reached are counted (model/coverage). */
    private readonly coverage: Float64Array = newCoverage(),
  ) {}

  // Each edge below is one call into the core: the operation's start or end counted on
  // SHADOW.OPS and the holders changed in the same 64-bit atomic add (so they change only
  // at a bracket's edge), the held state, and the flight recorder's entry.

  readBegin(z: number): void {
    const holders = this.core.begin(FLIGHT_OP.readLock, z, OPS_ENTER, 0, STATE.READ_LOCKING);
    // Only a reader that finds a writer inside is counted as waiting (for coverage only): the
    // others, nearly all, skip an atomic add.
    this.waiting = writersIn(holders) !== 0 ? HOLDER.WAITING : 0;
    if (this.waiting !== 0) {
      this.core.add(z, 0, HOLDER.WAITING);
      hit(this.coverage, COV.READER_SPUN_ON_WRITER);
    }
    this.probe.armRead();
    this.probe.watchCall(false, z, this.core.shadowAt(z));
  }

  readAcquired(z: number): void {
    this.probe.unwatchCall();
    this.probe.disarmRead();
    // From waiting to inside, seeing at that instant who else is.
    const holders = this.core.end(RETURNED, z, OPS_LEAVE, HOLDER.READER - this.waiting, STATE.READ_HELD, z);
    if (readersIn(holders) > 0) hit(this.coverage, COV.READERS_SHARED);
    if (writersIn(holders) !== 0) this.sink.report('exclusion', `readLock on zspage ${z} returned while a writer holds it`, z);
  }

  readReleasing(z: number): void {
    this.core.begin(FLIGHT_OP.readUnlock, z, OPS_ENTER, -HOLDER.READER, STATE.READ_UNLOCKING);
  }

  readReleased(z: number): void {
    this.core.end(RETURNED, z, OPS_LEAVE, 0, STATE.IN_OPERATION, -1);
  }

  /** A reader goes to sleep holding the read lock on z (and wakes: asleep = false). */
  sleeping(z: number, asleep: boolean): void {
    Atomics.add(this.mem, this.core.shadowAt(z) + SHADOW.SLEEPERS, asleep ? 1 : -1);
    // Counted as an event on the zspage (no operation in progress): who sleeps changes only at one.
    if (asleep) this.core.begin(FLIGHT_OP.sleep, z, OPS_EVENT, 0, STATE.READ_HELD_ASLEEP);
    else this.core.end(RETURNED, z, OPS_EVENT, 0, STATE.READ_HELD, z);
  }

  trylockBegin(z: number): void {
    const holders = this.core.begin(FLIGHT_OP.writeTrylock, z, OPS_ENTER, 0, STATE.WRITE_TRYLOCKING);
    this.trylockOps = this.core.lastOps();
    const s = this.core.shadowAt(z);
    Atomics.add(this.mem, s + SHADOW.TRYLOCK_SEQ, 1); // a sleeping reader sees trylocks pass (coverage)
    this.sawReaders = readersIn(holders) !== 0;
    this.sawWriter = writersIn(holders) !== 0;
    this.probe.watchCall(true, z, s);
    if (this.timing) this.trylockStart = performance.now();
  }

  trylockEnd(z: number, ok: boolean): void {
    const now = this.timing ? performance.now() : 0;
    this.probe.unwatchCall();
    if (this.timing) this.timing.trylock(Math.round((now - this.trylockStart) * 1e6), ok);
    if (!ok) {
      // Why it failed, as far as the shadow shows (it may show nobody: a reader between
      // its real acquire and its shadow entry).
      const holders = this.core.peek(z);
      if (this.sawReaders || readersIn(holders) !== 0) hit(this.coverage, COV.TRYLOCK_FAIL_READERS);
      if (this.sawWriter || writersIn(holders) !== 0) hit(this.coverage, COV.TRYLOCK_FAIL_WRITER);
      this.failedAlone(z, holders, this.core.lastOps());
      this.core.end(FAILED, z, OPS_LEAVE, 0, STATE.IN_OPERATION, -1);
      return;
    }
    const holders = this.core.end(RETURNED, z, OPS_LEAVE, HOLDER.WRITER, STATE.WRITE_HELD, z);
    const writers = writersIn(holders);
    const readers = readersIn(holders);
    if (writers !== 0 || readers !== 0) {
      this.sink.report(
        'exclusion',
        `writeTrylock on zspage ${z} succeeded while ${writers ? 'another writer' : `${readers} reader(s)`} hold it`,
        z,
      );
    }
    if (this.timing) this.writeStart = performance.now();
  }

  /**
   * A trylock that failed with nothing to fail on: for the whole call no other thread was in
   * a lock operation on the zspage (SHADOW.OPS unchanged, this call the only one in progress)
   * and the shadow shows no holder. The shadow differs from the truth only inside an
   * operation, so nobody held the lock: its word was left held (an unlock that did not
   * release), or the trylock fails on a free lock.
   */
  private failedAlone(z: number, holders: number, ops: number): void {
    // holders and ops were read in one 64-bit load: unchanged since this call entered, nobody came between.
    if (readersIn(holders) !== 0 || writersIn(holders) !== 0 || ops !== this.trylockOps || (ops & OPS_IN_MASK) !== 1) return;
    this.sink.report(
      'trylock-failed-free',
      `writeTrylock on zspage ${z} failed while nobody held it and no other lock operation was in progress there: ` +
        'the lock was left held (an unlock that did not release?)',
      z,
    );
  }

  writeReleasing(z: number): void {
    if (this.timing) {
      this.timing.beforeRelease();
      this.timing.writeSection(Math.round((performance.now() - this.writeStart) * 1e6));
    }
    const holders = this.core.begin(FLIGHT_OP.writeUnlock, z, OPS_ENTER, -HOLDER.WRITER, STATE.WRITE_UNLOCKING);
    if (readersWaiting(holders) !== 0) hit(this.coverage, COV.WRITER_OVERLAPPED_WAITER);
  }

  writeReleased(z: number): void {
    this.core.end(RETURNED, z, OPS_LEAVE, 0, STATE.IN_OPERATION, -1);
  }
}
