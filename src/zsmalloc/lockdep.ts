// Lockdep for the kernel's own zsmalloc.c, fed by the shim's lock events (zsk_locks.h,
// zsk_mm.h): rwlocks (pool->lock, 6.12's pool->migrate_lock and zspage->lock), lockdep
// maps (the 6.15+ zspage lock's dep_map), spinlocks (&class->lock, &zsl->lock), local
// locks and page locks. As kernel/locking/lockdep.c does: a class per lock name, each CPU
// keeps the locks it holds (current->held_locks), and a lock taken while holding others
// adds "held -> new" dependencies to a graph all CPUs share (check_prevs_add(): down to
// the first held lock not taken by a trylock; a trylock itself adds none). A new
// dependency that closes a cycle is reported with both stacks, the one that made the
// older dependency and this CPU's, as is a nesting of one class (check_deadlock()), a
// sleep holding a spinning lock and a release of a lock not held. Read acquisitions count
// as writes: the rwlocks' readers are not recursive outside interrupts (queued rwlocks),
// nor is rwsem_acquire_read(). It reports once, then turns itself off.
//
// Stacks name kernel functions: each event carries __func__ of the function that took
// the lock, and a new dependency (rare) records the wasm stack of kernel functions, from
// the module's name section (a function inlined away is not on it). The hot path
// allocates nothing: held locks in typed arrays, a class cache, and the dependencies a
// CPU has seen remembered, so only a dependency new to it touches the shared graph.
import { dependencyPath } from '../arena/lock-graph.js';
import { KLD, KLD_CLASSES, KLD_FRAMES, KLD_HELD, KLD_REC, KLD_REC_WORDS } from './lockdep-layout.js';

const RAW = Atomics;
/** lock_event's events and kinds (zsk_locks.h) */
export const EV = { ACQUIRE_READ: 0, ACQUIRE_WRITE: 1, ACQUIRED: 2, CONTENDED: 3, RELEASE: 4 } as const;
export const KIND = { SPINLOCK: 0, RWLOCK: 1, LOCKDEP_MAP: 2, LOCAL_LOCK: 3, PAGE_LOCK: 4 } as const;
/** Where a kind keeps its name (by kind; -1: none): spinlock_t { locked, name }, rwlock_t { cnts, next, owner, name }, lockdep_map { name }, local_lock_t { owner, name }. */
export const NAME_AT: readonly number[] = [4, 12, 0, 4, -1];
/** The class cache: direct-mapped by key, so that a class lookup is two array reads. */
const CACHE = 64;
const PAGE_LOCK_CLASS = 'page lock';
const KIND_NAMES = ['spinlock_t', 'rwlock_t', 'lockdep_map', 'local_lock_t', PAGE_LOCK_CLASS];
/** Locks nobody may sleep holding: spinlocks, rwlocks, local locks (preemption off). */
const SPINS = [true, true, false, true, false];
const READ = 1;
const TRY = 2;
/** MAX_LOCK_DEPTH: freeing a zspage holds all its page locks under the class lock. */
const MAX_HELD = 48;

export class KernelLockdep {
  private readonly heldLock = new Int32Array(MAX_HELD);
  private readonly heldClass = new Int32Array(MAX_HELD);
  private readonly heldMode = new Int32Array(MAX_HELD);
  private readonly heldFunc = new Int32Array(MAX_HELD);
  private depth = 0;
  /** Row a, bit b: this CPU knows a -> b is in the shared graph. */
  private readonly known = new Int32Array(KLD_CLASSES);
  private readonly cacheKey = new Int32Array(CACHE);
  private readonly cacheClass = new Int32Array(CACHE);
  private names: Map<number, string> | null = null;

  constructor(
    private readonly mem: Int32Array,
    private readonly bytes: Uint8Array,
    /** Int32 index of the region (KernelLayout.lockdep). */
    private readonly base: number,
    private readonly cpu: number,
    private readonly module: WebAssembly.Module,
    private readonly report: (message: string) => void,
  ) {}

  /** How many locks this CPU holds. */
  get held(): number {
    return this.depth;
  }

  /** A lock event from the shim: `func` is the C string of the kernel function. */
  event(lock: number, event: number, trylock: boolean, kind: number, func: number): void {
    if (event === EV.ACQUIRED || event === EV.CONTENDED || this.mem[this.base + KLD.OFF] !== 0) return;
    if (event === EV.RELEASE) {
      this.release(lock, func);
      return;
    }
    const cls = this.classOf(lock, kind);
    if (cls >= 0) this.acquire(cls, lock, (event === EV.ACQUIRE_READ ? READ : 0) | (trylock ? TRY : 0), func);
  }

  /** A sleep (might_sleep(), a wait): holding a spinning lock is a bug. */
  mightSleep(call: string): void {
    if (this.mem[this.base + KLD.OFF] !== 0) return;
    for (let i = 0; i < this.depth; i++) {
      const cls = this.heldClass[i]!;
      if (!SPINS[this.mem[this.base + KLD.KINDS + cls]!]) continue;
      this.once(
        `BUG: sleeping function called from invalid context: ${call}() on CPU ${this.cpu} holding ${this.className(cls)}, a spinning lock ` +
          `(${KIND_NAMES[this.mem[this.base + KLD.KINDS + cls]!]}), taken at ${this.cString(this.heldFunc[i]!)}()\n` +
          `locks held by CPU ${this.cpu}:\n${this.heldList(-1, 0, 0)}\nstack:\n${this.stackText(this.frames())}`,
      );
      return;
    }
  }

  /** A BUG ended the operation (an oops ends the task): its locks are no longer tracked. */
  reset(): void {
    this.depth = 0;
  }

  private classOf(lock: number, kind: number): number {
    const at = NAME_AT[kind]!;
    const key = (at < 0 ? 0 : this.mem[(lock + at) >> 2]!) || -(kind + 1);
    const slot = (key ^ (key >>> 6)) & (CACHE - 1);
    if (this.cacheKey[slot] === key) return this.cacheClass[slot]!;
    const cls = this.register(key, kind);
    if (cls >= 0) {
      this.cacheKey[slot] = key;
      this.cacheClass[slot] = cls;
    }
    return cls;
  }

  /** The shared class of `key` (a name's address, or minus the kind for unnamed locks), claimed on first use. */
  private register(key: number, kind: number): number {
    const keys = this.base + KLD.KEYS;
    for (let i = 0; i < KLD_CLASSES; i++) {
      let k = RAW.load(this.mem, keys + i);
      if (k === 0 && RAW.compareExchange(this.mem, keys + i, 0, key) === 0) {
        RAW.store(this.mem, this.base + KLD.KINDS + i, kind);
        return i;
      }
      k = RAW.load(this.mem, keys + i);
      if (k === key) return i;
    }
    this.once(`BUG: MAX_LOCKDEP_KEYS too low! (${KLD_CLASSES} lock classes; turning off the locking correctness validator)`);
    return -1;
  }

  private acquire(cls: number, lock: number, mode: number, func: number): void {
    if (this.depth === MAX_HELD) {
      this.once(`BUG: MAX_LOCK_DEPTH too low! CPU ${this.cpu} holds ${MAX_HELD} locks\n${this.heldList(cls, mode, func)}`);
      return;
    }
    if ((mode & TRY) === 0) {
      for (let i = 0; i < this.depth; i++) {
        // a page lock (PG_locked) has no lockdep map in the kernel: a CPU may hold several
        // (trylock_zspage(), lock_zspage() lock every page of a zspage), so nesting is no recursion
        if (this.heldClass[i] !== cls || this.className(cls) === PAGE_LOCK_CLASS) continue;
        this.once(
          `possible recursive locking detected: CPU ${this.cpu} is trying to acquire ${this.className(cls)}${modeName(mode)} at ${this.cString(func)}() ` +
            `but already holds ${this.className(cls)}${modeName(this.heldMode[i]!)} taken at ${this.cString(this.heldFunc[i]!)}()\n` +
            `locks held by CPU ${this.cpu}:\n${this.heldList(cls, mode, func)}\nstack:\n${this.stackText(this.frames())}`,
        );
        return;
      }
      // check_prevs_add(): a dependency on every held lock down to the first non-trylock one
      for (let i = this.depth - 1; i >= 0; i--) {
        const prev = this.heldClass[i]!;
        // page locks nest without an order among them (see above): no page lock -> page lock
        const nested = prev === cls && this.className(cls) === PAGE_LOCK_CLASS;
        if (!nested && (this.known[prev]! & (1 << cls)) === 0 && this.addDependency(prev, cls, mode, func)) return;
        if ((this.heldMode[i]! & TRY) === 0) break;
      }
    }
    const d = this.depth++;
    this.heldLock[d] = lock;
    this.heldClass[d] = cls;
    this.heldMode[d] = mode;
    this.heldFunc[d] = func;
  }

  private release(lock: number, func: number): void {
    for (let i = this.depth - 1; i >= 0; i--) {
      if (this.heldLock[i] !== lock) continue;
      const n = --this.depth;
      for (let j = i; j < n; j++) {
        this.heldLock[j] = this.heldLock[j + 1]!;
        this.heldClass[j] = this.heldClass[j + 1]!;
        this.heldMode[j] = this.heldMode[j + 1]!;
        this.heldFunc[j] = this.heldFunc[j + 1]!;
      }
      return;
    }
    this.once(
      `WARNING: bad unlock balance detected! CPU ${this.cpu} is trying to release the lock at 0x${lock.toString(16)} at ${this.cString(func)}() ` +
        `but does not hold it\nlocks held by CPU ${this.cpu}:\n${this.heldList(-1, 0, 0)}\nstack:\n${this.stackText(this.frames())}`,
    );
  }

  private recAt(a: number, b: number): number {
    return this.base + KLD.RECS + (a * KLD_CLASSES + b) * KLD_REC_WORDS;
  }

  /** Records a -> b, the first time in the run with this CPU's locks and stack; true if that closed a cycle. */
  private addDependency(a: number, b: number, mode: number, func: number): boolean {
    const { mem } = this;
    const bit = 1 << b;
    const row = this.base + KLD.ROWS + a;
    this.known[a]! |= bit;
    if ((RAW.load(mem, row) & bit) !== 0) return false;
    const rec = this.recAt(a, b);
    // One CPU writes the record, then publishes the dependency, then looks for a path
    // back: of two CPUs adding the two halves of a cycle, the later one sees it.
    if (RAW.compareExchange(mem, rec + KLD_REC.CLAIM, 0, this.cpu + 1) !== 0) return false;
    const from = Math.max(0, this.depth - (KLD_HELD - 1));
    let n = 0;
    for (let i = from; i < this.depth; i++, n++) {
      RAW.store(mem, rec + KLD_REC.PAIRS + 2 * n, (this.heldClass[i]! << 8) | this.heldMode[i]!);
      RAW.store(mem, rec + KLD_REC.PAIRS + 2 * n + 1, this.heldFunc[i]!);
    }
    RAW.store(mem, rec + KLD_REC.PAIRS + 2 * n, (b << 8) | mode);
    RAW.store(mem, rec + KLD_REC.PAIRS + 2 * n + 1, func);
    RAW.store(mem, rec + KLD_REC.HELD, n + 1);
    const frames = this.frames();
    const nf = Math.min(frames.length, KLD_FRAMES);
    for (let i = 0; i < nf; i++) RAW.store(mem, rec + KLD_REC.FRAME0 + i, frames[i]!);
    RAW.store(mem, rec + KLD_REC.FRAMES, nf);
    RAW.or(mem, row, bit);
    const path = dependencyPath(RAW, mem, this.base + KLD.ROWS, KLD_CLASSES, b, a);
    if (!path) return false;
    this.reportCycle(a, b, mode, func, path, frames);
    return true;
  }

  private reportCycle(a: number, b: number, mode: number, func: number, path: number[], frames: number[]): void {
    let held = -1;
    for (let i = 0; i < this.depth; i++) if (this.heldClass[i] === a) held = i;
    const chain = [];
    for (let i = path.length - 1; i > 0; i--) {
      const [x, y] = [path[i - 1]!, path[i]!];
      const rec = this.recAt(x, y);
      chain.push(
        `-> #${i} ${this.className(y)} taken while holding ${this.className(x)}, first on CPU ${RAW.load(this.mem, rec + KLD_REC.CLAIM) - 1}:\n` +
          `   locks:\n${this.recordedHeld(rec)}\n   stack:\n${this.recordedStack(rec)}`,
      );
    }
    this.once(
      `possible circular locking dependency detected: CPU ${this.cpu} is trying to acquire ${this.className(b)}${modeName(mode)} at ${this.cString(func)}() ` +
        `but already holds ${this.className(a)}` +
        (held >= 0 ? ` taken at ${this.cString(this.heldFunc[held]!)}()` : '') +
        `, which lock already depends on the new lock.\n\n` +
        `the existing dependency chain (in reverse order) is:\n${chain.join('\n')}\n\n` +
        `CPU ${this.cpu}, taking ${this.className(b)} while holding ${this.className(a)}:\n   locks:\n${this.heldList(b, mode, func)}\n   stack:\n${this.stackText(frames)}`,
    );
  }

  /** This CPU's held locks, bottom first, then the one it is acquiring (cls >= 0). */
  private heldList(cls: number, mode: number, func: number): string {
    const lines = [];
    for (let i = 0; i < this.depth; i++) {
      lines.push(`     #${i} ${this.className(this.heldClass[i]!)}${modeName(this.heldMode[i]!)} at ${this.cString(this.heldFunc[i]!)}()`);
    }
    if (cls >= 0) lines.push(`     #${this.depth} ${this.className(cls)}${modeName(mode)} at ${this.cString(func)}()  <- acquiring`);
    return lines.length > 0 ? lines.join('\n') : '     (none)';
  }

  private recordedHeld(rec: number): string {
    const n = RAW.load(this.mem, rec + KLD_REC.HELD);
    const lines = [];
    for (let i = 0; i < n; i++) {
      const cm = RAW.load(this.mem, rec + KLD_REC.PAIRS + 2 * i);
      const f = RAW.load(this.mem, rec + KLD_REC.PAIRS + 2 * i + 1);
      lines.push(`     #${i} ${this.className(cm >> 8)}${modeName(cm & 0xff)} at ${this.cString(f)}()${i === n - 1 ? '  <- acquiring' : ''}`);
    }
    return lines.join('\n');
  }

  private recordedStack(rec: number): string {
    const n = RAW.load(this.mem, rec + KLD_REC.FRAMES);
    const frames = [];
    for (let i = 0; i < n; i++) frames.push(RAW.load(this.mem, rec + KLD_REC.FRAME0 + i));
    return this.stackText(frames);
  }

  private frames(): number[] {
    return wasmFrames();
  }

  private stackText(frames: number[]): string {
    this.names ??= functionNames(this.module);
    return stackText(frames, this.names);
  }

  private className(cls: number): string {
    const key = RAW.load(this.mem, this.base + KLD.KEYS + cls);
    return key > 0 ? this.cString(key) : (KIND_NAMES[-key - 1] ?? 'lock');
  }

  private cString(p: number): string {
    if (p <= 0) return '?';
    let end = p;
    while (end < this.bytes.length && this.bytes[end] !== 0) end++;
    return new TextDecoder().decode(this.bytes.slice(p, end));
  }

  // Reports once for the whole run, as the kernel's lockdep turns itself off.
  private once(message: string): void {
    if (RAW.exchange(this.mem, this.base + KLD.OFF, 1) !== 0) return;
    this.report(message);
  }
}

/** The wasm functions on the stack now, innermost first (only for a report or a new dependency). */
export function wasmFrames(): number[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return [...stack.matchAll(/wasm-function\[(\d+)\]/g)].map((m) => Number(m[1]));
}

/** A stack of kernel functions, one a line, by the module's names. */
export function stackText(frames: number[], names: Map<number, string>): string {
  if (frames.length === 0) return '     (no kernel functions)';
  return frames.map((f) => `     ${names.get(f) ?? `wasm-function[${f}]`}`).join('\n');
}

const modeName = (mode: number) => ((mode & TRY) !== 0 ? ' (trylock)' : (mode & READ) !== 0 ? ' (read)' : '');

/** The function names of a module's name section (subsection 1), by function index. */
export function functionNames(module: WebAssembly.Module): Map<number, string> {
  const names = new Map<number, string>();
  // customSections() is missing from TypeScript's lib (it is in every engine since 2017)
  const sections = (WebAssembly.Module as unknown as { customSections(m: WebAssembly.Module, name: string): ArrayBuffer[] }).customSections;
  const [section] = sections(module, 'name');
  if (!section) return names;
  const b = new Uint8Array(section);
  let at = 0;
  const leb = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = b[at++]!;
      v += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return v;
    }
  };
  const text = new TextDecoder();
  while (at < b.length) {
    const id = b[at++]!;
    const size = leb();
    const end = at + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        const index = leb();
        const len = leb();
        names.set(index, text.decode(b.subarray(at, at + len)));
        at += len;
      }
    }
    at = end;
  }
  return names;
}

/** The dependencies in the shared graph, by class name ("a -> b"): for tests and reports. */
export function lockdepGraph(mem: Int32Array, bytes: Uint8Array, base: number): string[] {
  const name = (cls: number) => {
    const key = RAW.load(mem, base + KLD.KEYS + cls);
    if (key <= 0) return KIND_NAMES[-key - 1] ?? 'lock';
    let end = key;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.slice(key, end));
  };
  const out = [];
  for (let a = 0; a < KLD_CLASSES; a++) {
    const row = RAW.load(mem, base + KLD.ROWS + a);
    for (let b = 0; b < KLD_CLASSES; b++) if ((row & (1 << b)) !== 0) out.push(`${name(a)} -> ${name(b)}`);
  }
  return out.sort();
}
