// The zspage lock's rules, seen where the kernel's code says what it does: each CPU's
// zspage-lock events (lockdep annotations on the 6.15+ lock's map, 6.12's rwlock_t), and a
// table in the shared memory of who is inside each zspage lock and who sleeps in it.
// A writer inside with anybody else inside is `exclusion`; a writer that waits (not a
// trylock) for a lock a reader sleeps holding is `writer-waited`. Each event goes to the
// CPU's flight recorder (flight.ts) too, with the kernel function that made it.
import { HOLDER, readersIn, writersIn } from '../arena/layout.js';
import type { ViolationKind } from '../grading/vocabulary.js';
import { ZLOCK, ZLOCK_SLOTS, ZLOCK_WORDS, type KernelLayout } from './layout.js';
import { KernelFlightRecorder } from './flight.js';
import { EV, KIND, NAME_AT } from './lockdep.js';

const RAW = Atomics;
/** A zspage lock's name: its map's (6.15+ "zspage->lock", v5 of the series "zsmalloc-page") or rwlock's ("&zspage->lock"). */
const ZSPAGE_LOCK_NAME = /zspage|zsmalloc-page/;
/** Room for the zspage locks one CPU holds at once (compaction holds two); a code that leaks them grows it. */
const HELD_ROOM = 16;

export class ZspageLockRules {
  /** The zspage locks this CPU holds, innermost last (table slot, and 1 for a writer); typed arrays, so that the hot path allocates nothing. */
  private heldSlot = new Int32Array(HELD_ROOM);
  private heldWrite = new Uint8Array(HELD_ROOM);
  private depth = 0;
  /** The lock being acquired (0: none), and whether as a writer. */
  private pendingLock = 0;
  private pendingWrite = false;
  private readonly names = new Map<number, boolean>();
  /** This CPU's flight recorder: its role steps and zspage-lock events. */
  readonly flight: KernelFlightRecorder;

  constructor(
    private readonly mem: Int32Array,
    private readonly L: KernelLayout,
    private readonly cpu: number,
    /** `lock`: the zspage lock the violation is about. */
    private readonly report: (kind: ViolationKind, message: string, lock: number) => void,
    private readonly cString: (p: number) => string,
  ) {
    this.flight = new KernelFlightRecorder(mem, L, cpu);
  }

  private isZspageLock(lock: number, kind: number): boolean {
    const at = NAME_AT[kind]!;
    if (at < 0 || kind === KIND.SPINLOCK) return false;
    const namePtr = RAW.load(this.mem, (lock + at) >> 2);
    let zspage = this.names.get(namePtr);
    if (zspage === undefined) {
      zspage = namePtr !== 0 && ZSPAGE_LOCK_NAME.test(this.cString(namePtr));
      this.names.set(namePtr, zspage);
    }
    return zspage;
  }

  /** The zspage-lock table's slot for `lock`, claimed on first use (open addressing). */
  private slotOf(lock: number): number {
    const L = this.L;
    for (let n = 0, h = (Math.imul(lock, 0x9e3779b1) >>> 18) % ZLOCK_SLOTS; n < ZLOCK_SLOTS; n++, h = (h + 1) % ZLOCK_SLOTS) {
      const at = L.zlocks + h * ZLOCK_WORDS;
      const key = RAW.load(this.mem, at + ZLOCK.KEY);
      if (key === lock) return at;
      if (key === 0 && RAW.compareExchange(this.mem, at + ZLOCK.KEY, 0, lock) === 0) return at;
      if (RAW.load(this.mem, at + ZLOCK.KEY) === lock) return at;
    }
    throw new Error('the zspage-lock table is full');
  }

  /**
   * A zspage-lock event. Lockdep counts a lock held from its acquire annotation; the
   * harness counts a holder from the moment it is inside: a trylock annotation on a
   * lockdep map comes after the lock was taken (rwsem_acquire(..., 1, ...)), so it is
   * inside at once; any other acquire is pending until lock_acquired(), the CPU's next
   * acquire, or settle() (the kernel call returned with the lock held), whichever is
   * first. A release of a pending acquire ends it (6.12's failed read/write_trylock).
   */
  event(lock: number, event: number, trylock: boolean, kind: number, func: number): void {
    if (!this.isZspageLock(lock, kind)) return;
    this.flight.event(lock, event, trylock, kind, func);
    if (event === EV.ACQUIRE_READ || event === EV.ACQUIRE_WRITE) {
      this.settle();
      const write = event === EV.ACQUIRE_WRITE;
      if (write && !trylock) {
        const slot = this.slotOf(lock);
        if (RAW.load(this.mem, slot + ZLOCK.SLEEPERS) !== 0) {
          this.report('writer-waited', `a writer waits for zspage lock 0x${lock.toString(16)} while a reader sleeps holding it (CPU ${this.cpu})`, lock);
        }
      }
      if (trylock && kind === KIND.LOCKDEP_MAP) {
        this.enter(lock, write);
      } else {
        this.pendingLock = lock;
        this.pendingWrite = write;
      }
    } else if (event === EV.ACQUIRED) {
      this.settle();
    } else if (event === EV.RELEASE) {
      if (this.pendingLock === lock) {
        this.pendingLock = 0;
        return;
      }
      this.settle();
      const slot = this.slotOf(lock);
      for (let i = this.depth - 1; i >= 0; i--) {
        if (this.heldSlot[i] !== slot) continue;
        RAW.sub(this.mem, slot + ZLOCK.HOLDERS, this.heldWrite[i] ? HOLDER.WRITER : HOLDER.READER);
        this.heldSlot.copyWithin(i, i + 1, this.depth);
        this.heldWrite.copyWithin(i, i + 1, this.depth);
        this.depth--;
        return;
      }
    }
  }

  /** A holder enters zspage lock `lock`: a writer with anybody inside, or anybody with a writer inside, is `exclusion`. */
  private enter(lock: number, write: boolean): void {
    const slot = this.slotOf(lock);
    const old = RAW.add(this.mem, slot + ZLOCK.HOLDERS, write ? HOLDER.WRITER : HOLDER.READER);
    this.flight.enter(lock, write, old);
    if (writersIn(old) !== 0 || (write && readersIn(old) !== 0)) {
      const who = `${writersIn(old)} writer(s) and ${readersIn(old)} reader(s)`;
      this.report('exclusion', `a ${write ? 'writer' : 'reader'} entered zspage lock 0x${lock.toString(16)} while ${who} were inside (CPU ${this.cpu})`, lock);
    }
    if (this.depth === this.heldSlot.length) this.grow();
    this.heldSlot[this.depth] = slot;
    this.heldWrite[this.depth++] = write ? 1 : 0;
  }

  private grow(): void {
    const slots = new Int32Array(2 * this.heldSlot.length);
    const writes = new Uint8Array(2 * this.heldWrite.length);
    slots.set(this.heldSlot);
    writes.set(this.heldWrite);
    this.heldSlot = slots;
    this.heldWrite = writes;
  }

  /** The pending acquire, if any, is held (the kernel call that took it returned, or the CPU went on). */
  settle(): void {
    const lock = this.pendingLock;
    if (lock === 0) return;
    this.pendingLock = 0;
    this.enter(lock, this.pendingWrite);
  }

  /** The zspage-lock table's slot of the lock this CPU holds innermost, or -1. */
  innermost(): number {
    return this.depth > 0 ? this.heldSlot[this.depth - 1]! : -1;
  }

  /** The zspage locks this CPU holds now. */
  get count(): number {
    return this.depth;
  }
}
