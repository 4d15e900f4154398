// Shadow held-state per zspage, checked right after every acquire (as locktorture
// does): a writer must find nobody inside, a reader no writer. The shadow is
// entered after the real acquire and left before the real release, so it only
// ever under-states who is inside: whatever it shows is true.
import { SHADOW } from '../arena/layout.js';
import { COV, hit, newCoverage } from '../model/coverage.js';
import type { ZspageLockHooks } from '../model/zs.js';
import { HeldState, STATE } from './held-state.js';
import type { ProbeAtomics } from './probe-atomics.js';
import type { ViolationSink } from './violation.js';

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
  private mySeq = 0;
  private sawReaders = false;
  private sawWriter = false;

  constructor(
    private readonly mem: Int32Array,
    /** Int32 index of zspage z's shadow words: shadowOf(z). */
    private readonly shadowOf: (z: number) => number,
    private readonly sink: ViolationSink,
    private readonly probe: ProbeAtomics,
    private readonly held: HeldState,
    private readonly timing: WriterTiming | null,
    /** Where the protocol states reached are counted (model/coverage). */
    private readonly coverage: Float64Array = newCoverage(),
  ) {}

  readBegin(z: number): void {
    const s = this.shadowOf(z);
    Atomics.add(this.mem, s + SHADOW.READERS_WAITING, 1);
    if (Atomics.load(this.mem, s + SHADOW.WRITER_IN) !== 0) hit(this.coverage, COV.READER_SPUN_ON_WRITER);
    this.probe.armRead();
  }

  readAcquired(z: number): void {
    this.probe.disarmRead();
    const s = this.shadowOf(z);
    Atomics.sub(this.mem, s + SHADOW.READERS_WAITING, 1);
    if (Atomics.add(this.mem, s + SHADOW.READERS_IN, 1) > 0) hit(this.coverage, COV.READERS_SHARED);
    this.held.set(STATE.READ_HELD, z);
    const writers = Atomics.load(this.mem, s + SHADOW.WRITER_IN);
    if (writers !== 0) this.sink.report('exclusion', `readLock on zspage ${z} returned while a writer holds it`, z);
  }

  readReleasing(z: number): void {
    Atomics.sub(this.mem, this.shadowOf(z) + SHADOW.READERS_IN, 1);
    this.held.set(STATE.IN_OPERATION, -1);
  }

  trylockBegin(z: number): void {
    const s = this.shadowOf(z);
    this.held.set(STATE.WRITE_TRYLOCKING, z);
    Atomics.add(this.mem, s + SHADOW.TRYLOCKS_IN, 1);
    this.mySeq = Atomics.add(this.mem, s + SHADOW.TRYLOCK_SEQ, 1) + 1;
    this.sawReaders = Atomics.load(this.mem, s + SHADOW.READERS_IN) !== 0;
    this.sawWriter = Atomics.load(this.mem, s + SHADOW.WRITER_IN) !== 0;
    this.probe.armTrylock(s + SHADOW.TRYLOCK_OPS);
    if (this.timing) this.trylockStart = performance.now();
  }

  trylockEnd(z: number, ok: boolean): void {
    const now = this.timing ? performance.now() : 0;
    this.probe.disarmTrylock();
    const s = this.shadowOf(z);
    Atomics.sub(this.mem, s + SHADOW.TRYLOCKS_IN, 1);
    if (this.timing) this.timing.trylock(Math.round((now - this.trylockStart) * 1e6), ok);
    if (!ok) {
      // Why it failed, as far as the shadow shows (it may show nobody: a reader between
      // its real acquire and its shadow entry).
      if (this.sawReaders || Atomics.load(this.mem, s + SHADOW.READERS_IN) !== 0) hit(this.coverage, COV.TRYLOCK_FAIL_READERS);
      if (this.sawWriter || Atomics.load(this.mem, s + SHADOW.WRITER_IN) !== 0) hit(this.coverage, COV.TRYLOCK_FAIL_WRITER);
      this.held.set(STATE.IN_OPERATION, -1);
      return;
    }
    this.held.set(STATE.WRITE_HELD, z);
    const writers = Atomics.add(this.mem, s + SHADOW.WRITER_IN, 1);
    const readers = Atomics.load(this.mem, s + SHADOW.READERS_IN);
    if (writers !== 0 || readers !== 0) {
      this.sink.report(
        'exclusion',
        `writeTrylock on zspage ${z} succeeded while ${writers ? 'another writer' : `${readers} reader(s)`} hold it`,
        z,
      );
    } else if (Atomics.load(this.mem, s + SHADOW.WAITED_ON) === this.mySeq) {
      this.sink.report(
        'writer-waited',
        `writeTrylock on zspage ${z} spun while a reader slept holding the lock, and succeeded once it released`,
        z,
      );
    }
    if (this.timing) this.writeStart = performance.now();
  }

  writeReleasing(z: number): void {
    if (this.timing) {
      this.timing.beforeRelease();
      this.timing.writeSection(Math.round((performance.now() - this.writeStart) * 1e6));
    }
    const s = this.shadowOf(z);
    if (Atomics.load(this.mem, s + SHADOW.READERS_WAITING) !== 0) hit(this.coverage, COV.WRITER_OVERLAPPED_WAITER);
    Atomics.sub(this.mem, s + SHADOW.WRITER_IN, 1);
    this.held.set(STATE.IN_OPERATION, -1);
  }
}
