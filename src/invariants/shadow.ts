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
import { FLIGHT_OP, type FlightLog } from './flight-recorder.js';
import { HeldState, STATE } from './held-state.js';
import type { ProbeAtomics } from './probe-atomics.js';
import type { ViolationSink } from './violation.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

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
    /** Int32 index of zspage z's shadow words: shadowOf(z). */
    private readonly shadowOf: (z: number) => number,
    /** Int32 index of zspage z's lock words. */
    private readonly lockOf: (z: number) => number,
    private readonly sink: ViolationSink,
    private readonly probe: ProbeAtomics,
    private readonly held: HeldState,
    private readonly flight: FlightLog,
    private readonly timing: WriterTiming | null,
    /** Where the protocol states reached are counted (model/coverage). */
    private readonly coverage: Float64Array = newCoverage(),
  ) {}

  private enter(op: number, z: number): number {
    const s = this.shadowOf(z);
    const ops = Atomics.add(this.mem, s + SHADOW.OPS, OPS_ENTER) + OPS_ENTER;
    this.flight.begin(op, z, ops, this.lockOf(z));
    if (op === FLIGHT_OP.writeTrylock) this.trylockOps = ops;
    return s;
  }

  private leave(z: number, s: number, ok: boolean): void {
    this.flight.end(ok, Atomics.add(this.mem, s + SHADOW.OPS, OPS_LEAVE) + OPS_LEAVE, this.lockOf(z));
  }

  readBegin(z: number): void {
    this.held.set(STATE.READ_LOCKING, z);
    const s = this.enter(FLIGHT_OP.readLock, z);
    // Only a reader that finds a writer inside is counted as waiting (for coverage only, so a
    // plain read): the others, nearly all, skip an atomic add.
    this.waiting = writersIn(this.mem[s + SHADOW.HOLDERS]!) !== 0 ? HOLDER.WAITING : 0;
    if (this.waiting !== 0) {
      Atomics.add(this.mem, s + SHADOW.HOLDERS, HOLDER.WAITING);
      hit(this.coverage, COV.READER_SPUN_ON_WRITER);
    }
    this.probe.armRead();
    this.probe.watchCall(false, z, s);
  }

  readAcquired(z: number): void {
    this.probe.unwatchCall();
    this.probe.disarmRead();
    const s = this.shadowOf(z);
    // From waiting to inside, seeing at that instant who else is.
    const holders = Atomics.add(this.mem, s + SHADOW.HOLDERS, HOLDER.READER - this.waiting);
    if (readersIn(holders) > 0) hit(this.coverage, COV.READERS_SHARED);
    this.held.set(STATE.READ_HELD, z);
    this.leave(z, s, true);
    if (writersIn(holders) !== 0) this.sink.report('exclusion', `readLock on zspage ${z} returned while a writer holds it`, z);
  }

  readReleasing(z: number): void {
    this.held.set(STATE.READ_UNLOCKING, z);
    const s = this.enter(FLIGHT_OP.readUnlock, z);
    Atomics.sub(this.mem, s + SHADOW.HOLDERS, HOLDER.READER);
  }

  readReleased(z: number): void {
    this.leave(z, this.shadowOf(z), true);
    this.held.set(STATE.IN_OPERATION, -1);
  }

  /** A reader goes to sleep holding the read lock on z (and wakes: asleep = false). */
  sleeping(z: number, asleep: boolean): void {
    const s = this.shadowOf(z);
    Atomics.add(this.mem, s + SHADOW.SLEEPERS, asleep ? 1 : -1);
    this.held.set(asleep ? STATE.READ_HELD_ASLEEP : STATE.READ_HELD, z);
    // Counted as an event on the zspage (no operation in progress): who sleeps changes only at one.
    const ops = Atomics.add(this.mem, s + SHADOW.OPS, OPS_EVENT) + OPS_EVENT;
    if (asleep) this.flight.begin(FLIGHT_OP.sleep, z, ops, this.lockOf(z));
    else this.flight.end(true, ops, this.lockOf(z));
  }

  trylockBegin(z: number): void {
    this.held.set(STATE.WRITE_TRYLOCKING, z);
    const s = this.enter(FLIGHT_OP.writeTrylock, z);
    Atomics.add(this.mem, s + SHADOW.TRYLOCK_SEQ, 1); // a sleeping reader sees trylocks pass (coverage)
    const holders = Atomics.load(this.mem, s + SHADOW.HOLDERS);
    this.sawReaders = readersIn(holders) !== 0;
    this.sawWriter = writersIn(holders) !== 0;
    this.probe.watchCall(true, z, s);
    if (this.timing) this.trylockStart = performance.now();
  }

  trylockEnd(z: number, ok: boolean): void {
    const now = this.timing ? performance.now() : 0;
    this.probe.unwatchCall();
    const s = this.shadowOf(z);
    if (this.timing) this.timing.trylock(Math.round((now - this.trylockStart) * 1e6), ok);
    if (!ok) {
      // Why it failed, as far as the shadow shows (it may show nobody: a reader between
      // its real acquire and its shadow entry).
      const holders = Atomics.load(this.mem, s + SHADOW.HOLDERS);
      if (this.sawReaders || readersIn(holders) !== 0) hit(this.coverage, COV.TRYLOCK_FAIL_READERS);
      if (this.sawWriter || writersIn(holders) !== 0) hit(this.coverage, COV.TRYLOCK_FAIL_WRITER);
      this.failedAlone(z, s, holders);
      this.leave(z, s, false);
      this.held.set(STATE.IN_OPERATION, -1);
      return;
    }
    this.held.set(STATE.WRITE_HELD, z);
    const holders = Atomics.add(this.mem, s + SHADOW.HOLDERS, HOLDER.WRITER);
    const writers = writersIn(holders);
    const readers = readersIn(holders);
    this.leave(z, s, true);
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
  private failedAlone(z: number, s: number, holders: number): void {
    // Read after the holders: unchanged since this call entered, they were read with nobody between.
    const ops = Atomics.load(this.mem, s + SHADOW.OPS);
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
    this.held.set(STATE.WRITE_UNLOCKING, z);
    const s = this.enter(FLIGHT_OP.writeUnlock, z);
    if (readersWaiting(Atomics.sub(this.mem, s + SHADOW.HOLDERS, HOLDER.WRITER)) !== 0) hit(this.coverage, COV.WRITER_OVERLAPPED_WAITER);
  }

  writeReleased(z: number): void {
    this.leave(z, this.shadowOf(z), true);
    this.held.set(STATE.IN_OPERATION, -1);
  }
}
