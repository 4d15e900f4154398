// One CPU's instance of the compiled kernel pool on the shared arena: the kernel calls
// the shim makes (atomics, spinlocks, preempt_count, sleeps, page-lock waits, lockdep
// events, WARN/BUG, recorded stubs) and the zsmalloc API as harness.c exports it.
//
// The checks seen here, where the code says what it does:
// - the zspage lock's rules, from its lockdep annotations (6.15+: rwsem_acquire_read,
//   rwsem_acquire, lock_acquired, rwsem_release on the zspage's dep_map) or from its
//   rwlock_t (6.12), or a map named as v5 of the series named it: a writer inside with
//   anybody else inside is `exclusion`; a writer that waits (not a trylock) while a reader
//   sleeps holding is `writer-waited`;
// - each move in and out of atomic context, for the stress's stall watch (stress.ts);
// - a sleep (might_sleep(), cond_resched(), a page-lock wait, a reader's hold) with
//   preempt_count raised is `slept-in-atomic`;
// - a WARN/BUG that fires is `warn`, naming its file and line (a BUG ends the operation).
import { HDR, HOLDER, readersIn, writersIn } from '../arena/layout.js';
import type { ViolationKind } from '../grading/vocabulary.js';
import { atomics64Of } from '../locks/atomics64.js';
import { MEMORY_ORDERS, type LockAtomics } from '../locks/contract.js';
import { spinLock, spinTrylock, spinUnlock } from '../locks/c/spinlock.js';
import { KDATA_BYTES, KTLS_BYTES, ZLOCK, ZLOCK_SLOTS, ZLOCK_WORDS, cpuArea, type KernelLayout } from './layout.js';
import { C_DATA_BASE } from '../arena/layout.js';

const RAW = Atomics;
const WARN_KINDS = ['WARN_ON', 'WARN_ON_ONCE', 'BUG_ON'];
const BUG = 2;
const SLEEP_CALLS = ['msleep', 'usleep_range', 'schedule', 'cond_resched', 'might_sleep'];
/** lock_event's events and kinds (zsk_locks.h) */
const EV = { ACQUIRE_READ: 0, ACQUIRE_WRITE: 1, ACQUIRED: 2, CONTENDED: 3, RELEASE: 4 } as const;
const KIND = { SPINLOCK: 0, RWLOCK: 1, LOCKDEP_MAP: 2, LOCAL_LOCK: 3, PAGE_LOCK: 4 } as const;
/** Where a kind keeps its name: rwlock_t { cnts, waiters, name }, lockdep_map { name }. */
const NAME_AT: Record<number, number> = { [KIND.RWLOCK]: 8, [KIND.LOCKDEP_MAP]: 0 };
/** A zspage lock's name: its map's (6.15+ "zspage->lock", v5 of the series "zsmalloc-page") or rwlock's ("&zspage->lock"). */
const ZSPAGE_LOCK_NAME = /zspage|zsmalloc-page/;
/** The interrupts-off bit of the shim's preempt_count (zspage_spinlock.h). */
const IRQS_OFF = 0x10000000;
/** Recorded stubs, by zsk_stubs.h's numbering. */
export const STUBS = ['schedule_work', 'flush_work', 'shrinker_alloc', 'shrinker_register', 'shrinker_free', 'printk', 'debugfs', 'cpuhp'] as const;

/** How long a page-lock wait goes on after the run stopped, for its holder to finish its step. */
const STOPPED_WAIT_MS = 1_000;

/** A BUG that fired: it ends the operation, as an oops ends the task. */
export class KernelBug extends Error {}

export interface PoolChecks {
  report(kind: ViolationKind, message: string): void;
}

interface Exports {
  __stack_pointer: WebAssembly.Global;
  __data_end: WebAssembly.Global;
  __tls_size: WebAssembly.Global;
  __wasm_init_tls(at: number): void;
  zsh_setup(memMap: number, basePfn: number, pages: number, freePfns: number): void;
  zsh_boot(): number;
  zsh_cpu_up(): number;
  zsh_malloc(size: number, err: number): number;
  zsh_free(handle: number): void;
  zsh_write(handle: number, src: number, len: number): void;
  zsh_read_begin(handle: number, len: number, localCopy: number): number;
  zsh_read_end(handle: number, len: number, addr: number): void;
  zsh_compact(): number;
  zsh_shrink(): number;
  zsh_migrate(pfn: number, rc: number): number;
  zsh_run_work(): number;
  zsh_total_pages(): number;
  zsh_pages_in_use(): number;
  zsh_fail_every(pages: number, slabs: number): void;
  zsh_class_info(i: number, out: number): number;
  zsh_classes(): number;
  zsh_audit(out: number): number;
  zsh_fill(p: number, len: number, seed: number): void;
  zsh_check(p: number, len: number, seed: number): number;
}

/** A held zspage lock: its table slot and mode. */
interface Held {
  slot: number;
  write: boolean;
}

export class KernelPool {
  readonly x: Exports;
  readonly mem: Int32Array;
  readonly bytes: Uint8Array;
  /** This CPU's scratch pages (byte address). */
  readonly scratch: number;
  preempt = 0;
  readonly stubCalls = new Float64Array(STUBS.length);
  /** The zspage locks this CPU holds, innermost last; and one being acquired. */
  private readonly held: Held[] = [];
  private pending: { lock: number; write: boolean } | null = null;
  private readonly names = new Map<number, boolean>();
  private readonly warned = new Set<string>();
  private readonly k: LockAtomics;

  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    readonly L: KernelLayout,
    readonly cpu: number,
    private readonly checks: PoolChecks,
  ) {
    this.mem = new Int32Array(memory.buffer as unknown as SharedArrayBuffer);
    this.bytes = new Uint8Array(memory.buffer as unknown as SharedArrayBuffer);
    this.k = {
      load: (m, i) => RAW.load(m, i),
      store: (m, i, v) => RAW.store(m, i, v),
      add: (m, i, v) => RAW.add(m, i, v),
      sub: (m, i, v) => RAW.sub(m, i, v),
      and: (m, i, v) => RAW.and(m, i, v),
      or: (m, i, v) => RAW.or(m, i, v),
      xor: (m, i, v) => RAW.xor(m, i, v),
      exchange: (m, i, v) => RAW.exchange(m, i, v),
      compareExchange: (m, i, e, r) => RAW.compareExchange(m, i, e, r),
      wait: (m, i, v, t) => RAW.wait(m, i, v, t),
      notify: (m, i, c) => RAW.notify(m, i, c),
      preempt: (d: number) => this.preemptBy(d),
    };
    const area = cpuArea(L, cpu);
    this.scratch = area.scratch;
    const instance = new WebAssembly.Instance(module, { env: { memory }, kernel: this.imports() });
    this.x = instance.exports as unknown as Exports;
    const data = this.x.__data_end.value - C_DATA_BASE;
    if (data > KDATA_BYTES) throw new Error(`the compiled pool has ${data} bytes of static data; the arena keeps ${KDATA_BYTES}`);
    if (this.x.__tls_size.value > KTLS_BYTES) throw new Error(`the compiled pool has ${this.x.__tls_size.value} bytes of per-CPU data`);
    this.x.__stack_pointer.value = area.stackTop;
    this.x.__wasm_init_tls(area.tls);
  }

  /** Once per arena, before any CPU uses the pool: the memory map, the module's init, the pool. */
  boot(): void {
    const L = this.L;
    this.x.zsh_setup(L.memMap, L.frames / 4096, L.pages, L.freePfns);
    const rc = this.call(() => this.x.zsh_boot());
    if (rc !== 0) throw new Error(`zs_create_pool() failed (${rc})`);
  }

  /** Runs `fn` in the kernel; a BUG that fires unwinds it (the stack is restored). */
  call<T>(fn: () => T): T {
    const sp = this.x.__stack_pointer;
    const top = sp.value;
    try {
      return fn();
    } catch (err) {
      sp.value = top;
      throw err;
    }
  }

  private cString(p: number): string {
    let end = p;
    while (end < this.bytes.length && this.bytes[end] !== 0) end++;
    return new TextDecoder().decode(this.bytes.slice(p, end));
  }

  private imports(): Record<string, (...args: never[]) => unknown> {
    const k = this.k;
    const mem = () => this.mem;
    const order = (o: number) => MEMORY_ORDERS[o] ?? 'seq_cst';
    const k64 = atomics64Of(k);
    return {
      load: (p: number) => RAW.load(this.mem, p >> 2),
      store: (p: number, v: number) => void RAW.store(this.mem, p >> 2, v),
      add: (p: number, v: number) => RAW.add(this.mem, p >> 2, v),
      and: (p: number, v: number) => RAW.and(this.mem, p >> 2, v),
      or: (p: number, v: number) => RAW.or(this.mem, p >> 2, v),
      xor: (p: number, v: number) => RAW.xor(this.mem, p >> 2, v),
      xchg: (p: number, v: number) => RAW.exchange(this.mem, p >> 2, v),
      cmpxchg: (p: number, e: number, n: number) => RAW.compareExchange(this.mem, p >> 2, e, n),
      load64: (p: number, o: number) => k64.load64(mem(), p >> 2, order(o)),
      store64: (p: number, v: bigint, o: number) => void k64.store64(mem(), p >> 2, v, order(o)),
      add64: (p: number, v: bigint, o: number) => k64.add64(mem(), p >> 2, v, order(o)),
      and64: (p: number, v: bigint, o: number) => k64.and64(mem(), p >> 2, v, order(o)),
      or64: (p: number, v: bigint, o: number) => k64.or64(mem(), p >> 2, v, order(o)),
      xor64: (p: number, v: bigint, o: number) => k64.xor64(mem(), p >> 2, v, order(o)),
      xchg64: (p: number, v: bigint, o: number) => k64.exchange64(mem(), p >> 2, v, order(o)),
      cmpxchg64: (p: number, e: bigint, n: bigint, o: number, f: number) => k64.compareExchange64(mem(), p >> 2, e, n, order(o), order(f)),
      fence: () => {},
      relax: () => {},
      preempt: (d: number) => this.preemptBy(d),
      cpu: () => this.cpu,
      spin_lock: (p: number) => spinLock(k, this.mem, p >> 2),
      spin_unlock: (p: number) => spinUnlock(k, this.mem, p >> 2),
      spin_trylock: (p: number) => (spinTrylock(k, this.mem, p >> 2) ? 1 : 0),
      sleep: (us: number, call: number) => this.sleep(us, SLEEP_CALLS[call] ?? 'a sleeping call'),
      warn: (line: number, kind: number) => this.warn('?', line, kind),
      warn_at: (file: number, line: number, kind: number) => this.warn(this.cString(file).replace(/^\.\//, ''), line, kind),
      wait_bit: (word: number, bit: number) => this.waitBit(word >> 2, 1 << bit),
      wake: (word: number) => void RAW.notify(this.mem, word >> 2),
      stub: (which: number) => void this.stubCalls[which]!++,
      lock_event: (lock: number, event: number, trylock: number, kind: number) => this.lockEvent(lock, event, trylock !== 0, kind),
    };
  }

  /**
   * preempt_count changes. Entering atomic context, this CPU's stall-watch word takes the
   * next number of a shared sequence; leaving it, 0. The stress's stall watch reads them: a
   * word that stays the same nonzero number is a CPU spinning or waiting with preemption
   * off, and the smallest number is the section that began first.
   */
  private preemptBy(d: number): number {
    const was = this.preempt;
    this.preempt += d;
    if (was === 0 && this.preempt !== 0) RAW.store(this.mem, this.L.epochs + 1 + this.cpu, RAW.add(this.mem, this.L.epochs, 1) + 1);
    else if (was !== 0 && this.preempt === 0) RAW.store(this.mem, this.L.epochs + 1 + this.cpu, 0);
    return this.preempt;
  }

  private warn(file: string, line: number, kind: number): void {
    const where = `${file}:${line}`;
    if (kind === 1 && this.warned.has(where)) return;
    this.warned.add(where);
    const name = WARN_KINDS[kind] ?? 'WARN';
    this.checks.report('warn', `${name} at ${where} (CPU ${this.cpu}, preempt_count ${this.preempt})`);
    if (kind === BUG) throw new KernelBug(`${name} at ${where}`);
  }

  /** A sleep of `us` microseconds (< 0: only might_sleep()'s check). */
  sleep(us: number, call: string): void {
    if ((this.preempt & ~IRQS_OFF) !== 0 || (this.preempt & IRQS_OFF) !== 0) {
      const zs = this.held.length > 0 ? `, holding ${this.held.length} zspage lock(s)` : '';
      this.checks.report('slept-in-atomic', `BUG: sleeping function called from invalid context: ${call}() with preempt_count ${this.preempt & ~IRQS_OFF}${zs} (CPU ${this.cpu})`);
    }
    if (us > 0) RAW.wait(this.mem, HDR.STOP, 0, us / 1000);
  }

  /** folio_wait_bit(): sleeps until the bits `mask` of mem[i] are clear (or the run stops). */
  private waitBit(i: number, mask: number): void {
    let stopped = 0;
    for (;;) {
      const v = RAW.load(this.mem, i);
      if ((v & mask) === 0) return;
      // after the stop word the holder finishes its step and unlocks: only a lock nobody
      // will release (its holder ended in a BUG) ends the wait, and the operation with it
      if (RAW.load(this.mem, HDR.STOP) !== 0) {
        stopped ||= performance.now();
        if (performance.now() - stopped > STOPPED_WAIT_MS) throw new KernelBug('the run stopped while a page lock was awaited');
      }
      RAW.wait(this.mem, i, v, 5);
    }
  }

  private isZspageLock(lock: number, kind: number): boolean {
    const at = NAME_AT[kind];
    if (at === undefined) return false;
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
  private lockEvent(lock: number, event: number, trylock: boolean, kind: number): void {
    if (!this.isZspageLock(lock, kind)) return;
    if (event === EV.ACQUIRE_READ || event === EV.ACQUIRE_WRITE) {
      this.settle();
      const write = event === EV.ACQUIRE_WRITE;
      if (write && !trylock) {
        const slot = this.slotOf(lock);
        if (RAW.load(this.mem, slot + ZLOCK.SLEEPERS) !== 0) {
          this.checks.report('writer-waited', `a writer waits for zspage lock 0x${lock.toString(16)} while a reader sleeps holding it (CPU ${this.cpu})`);
        }
      }
      if (trylock && kind === KIND.LOCKDEP_MAP) this.enter(lock, write);
      else this.pending = { lock, write };
    } else if (event === EV.ACQUIRED) {
      this.settle();
    } else if (event === EV.RELEASE) {
      if (this.pending?.lock === lock) {
        this.pending = null;
        return;
      }
      this.settle();
      const slot = this.slotOf(lock);
      for (let i = this.held.length - 1; i >= 0; i--) {
        const h = this.held[i]!;
        if (h.slot !== slot) continue;
        RAW.sub(this.mem, slot + ZLOCK.HOLDERS, h.write ? HOLDER.WRITER : HOLDER.READER);
        this.held.splice(i, 1);
        return;
      }
    }
  }

  /** A holder enters zspage lock `lock`: a writer with anybody inside, or anybody with a writer inside, is `exclusion`. */
  private enter(lock: number, write: boolean): void {
    const slot = this.slotOf(lock);
    const old = RAW.add(this.mem, slot + ZLOCK.HOLDERS, write ? HOLDER.WRITER : HOLDER.READER);
    if (writersIn(old) !== 0 || (write && readersIn(old) !== 0)) {
      const who = `${writersIn(old)} writer(s) and ${readersIn(old)} reader(s)`;
      this.checks.report('exclusion', `a ${write ? 'writer' : 'reader'} entered zspage lock 0x${lock.toString(16)} while ${who} were inside (CPU ${this.cpu})`);
    }
    this.held.push({ slot, write });
  }

  /** The pending acquire, if any, is held (the kernel call that took it returned, or the CPU went on). */
  settle(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    this.enter(p.lock, p.write);
  }

  /** A reader's hold: sleeps `ms` with the object mapped, counted as a sleeper of its zspage lock. */
  sleepHolding(ms: number): void {
    const h = this.held[this.held.length - 1];
    if (h) RAW.add(this.mem, h.slot + ZLOCK.SLEEPERS, 1);
    try {
      this.sleep(ms * 1000, 'schedule');
    } finally {
      if (h) RAW.sub(this.mem, h.slot + ZLOCK.SLEEPERS, 1);
    }
  }

  /** The zspage locks this CPU holds now. */
  get zspageLocksHeld(): number {
    return this.held.length;
  }
}
