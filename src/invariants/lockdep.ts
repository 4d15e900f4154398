// Lockdep for the model, in the spirit of the kernel's: every thread keeps the locks it
// holds on a stack (current->held_locks), and every lock taken while holding others adds
// "held -> new" dependencies between lock classes to a graph all threads share. A new
// dependency that closes a cycle is reported even if no deadlock happened in this run,
// as are a sleep while holding a spinning lock and a release of a lock not held.
// Like the kernel's, it reports once, then turns itself off.
// A lock's own spinlocks report from inside lock calls: RAW_ATOMICS throughout (global-atomics).
//
// The hot path allocates nothing: the held stack lives in preallocated arrays, the graph
// is a bitmask matrix in the arena (row a, bit b: a -> b), and a thread remembers the
// dependencies it has seen, so only a dependency new to it touches the graph.
import { LOCKDEP, LOCKDEP_CLASSES, LOCKDEP_EDGE_WORDS, LOCKDEP_STACK, STACK, type Layout } from '../arena/layout.js';
import { dependencyPath } from '../arena/lock-graph.js';
import type { SpinlockTracker } from '../locks/contract.js';
import type { Cpu, LockTracker } from '../model/kernel-locks.js';
import { LOCK_SITES } from '../model/lock-sites.js';
import { RAW_ATOMICS } from './global-atomics.js';
import type { ViolationSink } from './violation.js';

/** The model's lock classes; a C lock's own spinlocks are registered after them. */
export const LOCK_CLASS = { PAGE: 0, POOL: 1, CLASS: 2, ZSPAGE: 3, PAGE_ALLOC: 4, ZSPAGE_CACHE: 5 } as const;
const FIXED_CLASSES = 6;
const CLASS_NAMES = ['page lock', 'pool->lock', 'class->lock', 'zspage->lock', 'page allocator lock', 'zspage cache lock'];
/** Spinning locks: nobody may sleep holding one. zspage->lock spins when held for write. */
const SPINS = [false, true, true, false, true, true];

const READ = 1;
const TRY = 2;
/** MAX_LOCK_DEPTH: freeing a zspage holds all its page locks under the pool and class locks. */
export const MAX_HELD = 48;
/** Registered classes' keys: a C spinlock's offset in the zspage lock words, or its address. */
const STATIC_KEY = 1 << 20;

export class Lockdep implements LockTracker, SpinlockTracker {
  /** Held lock i: [2i] its arena index, [2i + 1] class << 16 | mode << 12 | site. */
  private readonly heldLocks = new Int32Array(2 * MAX_HELD);
  private depth = 0;
  /** Row a, bit b: this thread knows a -> b is in the shared graph. */
  private readonly known = new Int32Array(LOCKDEP_CLASSES);
  private readonly base: number;
  private lastKey = -1;
  private lastClass = -1;

  constructor(
    private readonly mem: Int32Array,
    private readonly L: Layout,
    private readonly worker: number,
    private readonly labelOf: (worker: number) => string,
    private readonly sink: ViolationSink,
    /** For a lock's own spinlocks: the zspage lock operation they are taken in. */
    private readonly cpu: Pick<Cpu, 'lockOp'>,
  ) {
    this.base = L.lockdep;
  }

  private heldClass(i: number): number {
    return this.heldLocks[2 * i + 1]! >>> 16;
  }
  private heldMode(i: number): number {
    return (this.heldLocks[2 * i + 1]! >> 12) & 0xf;
  }
  private heldSite(i: number): number {
    return this.heldLocks[2 * i + 1]! & 0xfff;
  }
  private heldAt(i: number): number {
    return this.heldLocks[2 * i]!;
  }

  /** How many locks this thread holds (for tests). */
  get held(): number {
    return this.depth;
  }

  acquire(at: number, read: boolean, trylock: boolean, site: number): void {
    this.acquireClass(this.classOf(at), at, (read ? READ : 0) | (trylock ? TRY : 0), site);
  }

  release(at: number, site: number): void {
    this.releaseClass(this.classOf(at), at, site);
  }

  mightSleep(site: number): void {
    if (this.off()) return;
    for (let i = 0; i < this.depth; i++) {
      if (!this.spins(this.heldClass(i), this.heldMode(i))) continue;
      this.report(
        `BUG: sleeping function called from invalid context at ${siteName(site)}(): ${this.labelOf(this.worker)} holds ` +
          `${this.lockName(this.heldClass(i), this.heldAt(i), this.heldMode(i))}, a spinning lock\n` +
          `locks held:\n${this.stack(-1, 0, 0, site)}`,
      );
      return;
    }
  }

  spinLock(addr: number): void {
    const cls = this.spinClass(addr);
    if (cls >= 0) this.acquireClass(cls, addr >> 2, 0, this.cpu.lockOp);
  }

  spinTrylock(addr: number, ok: boolean): void {
    const cls = ok ? this.spinClass(addr) : -1;
    if (cls >= 0) this.acquireClass(cls, addr >> 2, TRY, this.cpu.lockOp);
  }

  spinUnlock(addr: number): void {
    const cls = this.spinClass(addr);
    if (cls >= 0) this.releaseClass(cls, addr >> 2, this.cpu.lockOp);
  }

  private off(): boolean {
    return this.mem[this.base + LOCKDEP.OFF] !== 0;
  }

  private classOf(at: number): number {
    const L = this.L;
    if (at === L.pool) return LOCK_CLASS.POOL;
    if (at >= L.zspages && at < L.pageDescs) return LOCK_CLASS.ZSPAGE;
    if (at >= L.pageDescs && at < L.freePages) return LOCK_CLASS.PAGE;
    if (at >= L.classes && at < L.zspages) return LOCK_CLASS.CLASS;
    return at === L.pageAlloc + STACK.LOCK ? LOCK_CLASS.PAGE_ALLOC : LOCK_CLASS.ZSPAGE_CACHE;
  }

  private spins(cls: number, mode: number): boolean {
    return cls >= FIXED_CLASSES || SPINS[cls]! || (cls === LOCK_CLASS.ZSPAGE && (mode & READ) === 0);
  }

  private acquireClass(cls: number, at: number, mode: number, site: number): void {
    if (this.off()) return;
    if (this.depth === MAX_HELD) {
      this.report(`BUG: MAX_LOCK_DEPTH too low: ${this.labelOf(this.worker)} holds ${MAX_HELD} locks\n${this.stack(cls, at, mode, site)}`);
      return;
    }
    if ((mode & TRY) === 0) {
      for (let i = 0; i < this.depth; i++) {
        // A recursive read of the pool rwlock is allowed; any other nesting of one class is not.
        if (this.heldClass(i) !== cls || (cls === LOCK_CLASS.POOL && (mode & READ) !== 0 && (this.heldMode(i) & READ) !== 0)) continue;
        this.report(
          `possible recursive locking detected: ${this.labelOf(this.worker)} is trying to acquire ${this.lockName(cls, at, mode)} ` +
            `at ${siteName(site)}() but already holds ${this.lockName(cls, this.heldAt(i), this.heldMode(i))} ` +
            `taken at ${siteName(this.heldSite(i))}()\n${this.stack(cls, at, mode, site)}`,
        );
        return;
      }
      // check_prevs_add(): a dependency on every held lock down to the first non-trylock one.
      for (let i = this.depth - 1; i >= 0; i--) {
        const prev = this.heldClass(i);
        if ((this.known[prev]! & (1 << cls)) === 0 && this.addDependency(prev, cls, at, mode, site)) return;
        if ((this.heldMode(i) & TRY) === 0) break;
      }
    }
    const d = this.depth++;
    this.heldLocks[2 * d] = at;
    this.heldLocks[2 * d + 1] = (cls << 16) | (mode << 12) | (site & 0xfff);
  }

  private releaseClass(cls: number, at: number, site: number): void {
    if (this.off()) return;
    const held = this.heldLocks;
    for (let i = this.depth - 1; i >= 0; i--) {
      if (held[2 * i] !== at || held[2 * i + 1]! >>> 16 !== cls) continue;
      for (let j = 2 * i + 2; j < 2 * this.depth; j++) held[j - 2] = held[j]!;
      this.depth--;
      return;
    }
    this.report(
      `WARNING: bad unlock balance detected! ${this.labelOf(this.worker)} is trying to release ${this.lockName(cls, at, 0)} ` +
        `at ${siteName(site)}() but does not hold it\nlocks held:\n${this.stack(-1, 0, 0, site)}`,
    );
  }

  /** Records a -> b (first time in this run: with this thread's stack); true if that closed a cycle. */
  private addDependency(a: number, b: number, at: number, mode: number, site: number): boolean {
    if (a === b) return false;
    const { mem } = this;
    const bit = 1 << b;
    const row = this.base + LOCKDEP.ROWS + a;
    this.known[a]! |= bit;
    if ((RAW_ATOMICS.load(mem, row) & bit) !== 0) return false;
    const rec = this.edgeAt(a, b);
    // One thread writes the record, then publishes the dependency, then looks for a path
    // back: of two threads adding the two halves of a cycle, the later one sees it.
    if (RAW_ATOMICS.compareExchange(mem, rec, 0, this.worker + 1) !== 0) return false;
    const from = Math.max(0, this.depth - (LOCKDEP_STACK - 1));
    let n = 0;
    for (let i = from; i < this.depth; i++, n++) {
      RAW_ATOMICS.store(mem, rec + 2 + 2 * n, (this.heldClass(i) << 8) | this.heldMode(i));
      RAW_ATOMICS.store(mem, rec + 3 + 2 * n, this.heldSite(i));
    }
    RAW_ATOMICS.store(mem, rec + 2 + 2 * n, (b << 8) | mode);
    RAW_ATOMICS.store(mem, rec + 3 + 2 * n, site);
    RAW_ATOMICS.store(mem, rec + 1, n + 1);
    RAW_ATOMICS.or(mem, row, bit);
    const path = dependencyPath(RAW_ATOMICS, mem, this.base + LOCKDEP.ROWS, LOCKDEP_CLASSES, b, a);
    if (!path) return false;
    this.reportCycle(a, b, at, mode, site, path);
    return true;
  }

  private edgeAt(a: number, b: number): number {
    return this.base + LOCKDEP.EDGES + (a * LOCKDEP_CLASSES + b) * LOCKDEP_EDGE_WORDS;
  }

  private reportCycle(a: number, b: number, at: number, mode: number, site: number, path: number[]): void {
    let held = -1;
    for (let i = 0; i < this.depth; i++) if (this.heldClass(i) === a) held = i;
    const chain = [];
    for (let i = path.length - 1; i > 0; i--) {
      const [x, y] = [path[i - 1]!, path[i]!];
      const rec = this.edgeAt(x, y);
      chain.push(
        `-> ${className(this.mem, this.base, x)} -> ${className(this.mem, this.base, y)}, first by ${this.labelOf(RAW_ATOMICS.load(this.mem, rec) - 1)}:\n` +
          this.recordedStack(rec),
      );
    }
    this.report(
      `possible circular locking dependency detected: ${this.labelOf(this.worker)} is trying to acquire ${this.lockName(b, at, mode)} ` +
        `at ${siteName(site)}() but already holds ${className(this.mem, this.base, a)}` +
        (held >= 0 ? ` taken at ${siteName(this.heldSite(held))}()` : '') +
        `, which lock already depends on the new lock.\n` +
        `${this.labelOf(this.worker)}'s stack:\n${this.stack(b, at, mode, site)}\n` +
        `the existing dependency chain (in reverse order) is:\n${chain.join('\n')}`,
    );
  }

  /** This thread's held locks, bottom first, then the one it is acquiring (cls >= 0). */
  private stack(cls: number, at: number, mode: number, site: number): string {
    const lines = [];
    for (let i = 0; i < this.depth; i++) {
      lines.push(`  #${i} ${this.lockName(this.heldClass(i), this.heldAt(i), this.heldMode(i))} at ${siteName(this.heldSite(i))}()`);
    }
    if (cls >= 0) lines.push(`  #${this.depth} ${this.lockName(cls, at, mode)} at ${siteName(site)}()  <- acquiring`);
    return lines.length > 0 ? lines.join('\n') : '  (none)';
  }

  private recordedStack(rec: number): string {
    const n = RAW_ATOMICS.load(this.mem, rec + 1);
    const lines = [];
    for (let i = 0; i < n; i++) {
      const cm = RAW_ATOMICS.load(this.mem, rec + 2 + 2 * i);
      const s = RAW_ATOMICS.load(this.mem, rec + 3 + 2 * i);
      lines.push(`  #${i} ${className(this.mem, this.base, cm >> 8)}${modeName(cm & 0xff)} at ${siteName(s)}()`);
    }
    return lines.join('\n');
  }

  private lockName(cls: number, at: number, mode: number): string {
    const L = this.L;
    let which = '';
    if (cls === LOCK_CLASS.ZSPAGE) which = ` of zspage ${Math.floor((at - L.zspages) / L.zspageWords)}`;
    else if (cls === LOCK_CLASS.PAGE) which = ` of page ${Math.floor((at - L.pageDescs) / 4)}`;
    else if (cls === LOCK_CLASS.CLASS) which = ` of class ${Math.floor((at - L.classes) / 32)}`;
    return `${className(this.mem, this.base, cls)}${which}${modeName(mode)}`;
  }

  // Reports once for the whole run, as the kernel's lockdep turns itself off.
  private report(message: string): void {
    if (RAW_ATOMICS.exchange(this.mem, this.base + LOCKDEP.OFF, 1) !== 0) return;
    this.sink.report('lock-order', message);
  }

  /** A C lock's spinlock: one class per field of the zspage lock words, or per address. */
  private spinClass(addr: number): number {
    const word = addr >> 2;
    const L = this.L;
    let key = STATIC_KEY + word;
    if (word >= L.zspages && word < L.zspages + L.maxZspages * L.zspageWords) {
      const off = ((word - L.zspages) % L.zspageWords) - L.lockAt;
      if (off >= 0 && off < L.params.lockWords) key = off + 1;
    }
    if (key === this.lastKey) return this.lastClass;
    const keys = this.base + LOCKDEP.KEYS;
    for (let i = 0; i < LOCKDEP_CLASSES - FIXED_CLASSES; i++) {
      const k = RAW_ATOMICS.load(this.mem, keys + i);
      if (k === key || (k === 0 && (RAW_ATOMICS.compareExchange(this.mem, keys + i, 0, key) === 0 || RAW_ATOMICS.load(this.mem, keys + i) === key))) {
        this.lastKey = key;
        this.lastClass = FIXED_CLASSES + i;
        return this.lastClass;
      }
    }
    return -1; // more spinlock classes than the graph has room for: not tracked
  }
}

const siteName = (site: number) => LOCK_SITES[site] ?? 'the lock under test';
const modeName = (mode: number) => ((mode & TRY) !== 0 ? ' (trylock)' : (mode & READ) !== 0 ? ' (read)' : '');

function className(mem: Int32Array, base: number, cls: number): string {
  if (cls < FIXED_CLASSES) return CLASS_NAMES[cls]!;
  const key = RAW_ATOMICS.load(mem, base + LOCKDEP.KEYS + cls - FIXED_CLASSES);
  return key >= STATIC_KEY ? `spinlock_t at byte ${(key - STATIC_KEY) * 4}` : `spinlock_t at byte ${(key - 1) * 4} of the zspage lock`;
}
