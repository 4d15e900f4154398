// One CPU's instance of the compiled kernel pool on the shared arena: the kernel calls
// the shim makes (atomics, spinlocks, preempt_count, sleeps, page-lock waits, lockdep
// events, WARN/BUG, recorded stubs) and the zsmalloc API as harness.c exports it.
//
// The checks seen here, where the code says what it does:
// - the zspage lock's rules, from its lockdep annotations (6.15+: rwsem_acquire_read,
//   rwsem_acquire, lock_acquired, rwsem_release on the zspage's dep_map) or from its
//   rwlock_t (6.12), or a map named as v5 of the series named it: a writer inside with
//   anybody else inside is `exclusion`; a writer that waits (not a trylock) while a reader
//   sleeps holding is `writer-waited` (zspage-rules.ts);
// - each move in and out of atomic context, for the stress's stall watch
//   (coordinator/kernel-stress.ts);
// - a sleep (might_sleep(), cond_resched(), a page-lock wait, a reader's hold) with
//   preempt_count raised is `slept-in-atomic`;
// - a WARN/BUG that fires is `warn`, naming its file and line (a BUG ends the operation);
// - KASAN where the shim can tell cheaply (zsk_mm.h, harness.c): a pfn outside mem_map[]
//   (a handle that no longer decodes), a map of a freed page, a lock inside a freed page
//   or slab object are `memory-safety`, with the stack of kernel functions; it ends the
//   operation, as the access would oops (or spin on a poisoned lock);
// - lockdep (lockdep.ts) sees every lock event and spinlock: a cycle in the lock order, a
//   nesting of one class, a sleep holding a spinning lock are `lock-order`.
import { C_DATA_BASE, HDR } from '../arena/layout.js';
import type { ViolationKind } from '../grading/vocabulary.js';
import { atomics64Of } from '../locks/atomics64.js';
import { MEMORY_ORDERS, type LockAtomics } from '../locks/contract.js';
import { ZS_UNUSED } from '../locks/c/design.js';
import { spinLock, spinTrylock, spinUnlock } from '../locks/c/spinlock.js';
import type { Gate } from './gate.js';
import { ZspageLockRules } from './zspage-rules.js';
import { KDATA_BYTES, KPAGE_BYTES, KTLS_BYTES, ZLOCK, cpuArea, type KernelLayout } from './layout.js';
import { EV, KIND, KernelLockdep, functionNames, stackText, wasmFrames } from './lockdep.js';

const RAW = Atomics;
const WARN_KINDS = ['WARN_ON', 'WARN_ON_ONCE', 'BUG_ON'];
const BUG = 2;
const SLEEP_CALLS = ['msleep', 'usleep_range', 'schedule', 'cond_resched', 'might_sleep'];
const RELAX_YIELD = 64;
const RELAX_YIELD_MS = 0.02;
/** The interrupts-off bit of the shim's preempt_count (zspage_spinlock.h). */
const IRQS_OFF = 0x10000000;
/** Recorded stubs, by zsk_stubs.h's numbering. */
export const STUBS = ['schedule_work', 'flush_work', 'shrinker_alloc', 'shrinker_register', 'shrinker_free', 'printk', 'debugfs', 'cpuhp'] as const;

/** How long a page-lock wait goes on after the run stopped, for its holder to finish its step. */
const STOPPED_WAIT_MS = 1_000;

/** A BUG that fired: it ends the operation, as an oops ends the task. */
export class KernelBug extends Error {}

export interface PoolChecks {
  /** `lock`: the zspage lock a violation is about, when it is about one. */
  report(kind: ViolationKind, message: string, lock?: number): void;
}

export interface PoolOptions {
  /** Lockdep on the pool's locks (default on). */
  lockdep?: boolean;
  /** Under the explorer: every kernel call waits for this CPU's turn (gate.ts). */
  gate?: Gate;
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
  zsh_migrate_cluster(pfns: number, n: number, results: number, rc: number): void;
  zsh_run_work(): number;
  zsh_total_pages(): number;
  zsh_pages_in_use(): number;
  zsh_fail_every(pages: number, slabs: number): void;
  zsh_class_info(i: number, out: number): number;
  zsh_classes(): number;
  zsh_class_stats(i: number, out: number): number;
  zsh_handle_pfn(handle: number): number;
  zsh_audit(out: number): number;
  zsh_fill(p: number, len: number, seed: number): void;
  zsh_check(p: number, len: number, seed: number): number;
}

export class KernelPool {
  readonly x: Exports;
  readonly mem: Int32Array;
  readonly bytes: Uint8Array;
  /** This CPU's scratch pages (byte address). */
  readonly scratch: number;
  preempt = 0;
  readonly stubCalls = new Float64Array(STUBS.length);
  /** The zspage lock's rules (exclusion, writer-waited), from this CPU's lock events. */
  readonly zspageLocks: ZspageLockRules;
  private readonly warned = new Set<string>();
  private k: LockAtomics;
  /** null when off (PoolOptions.lockdep). */
  readonly lockdep: KernelLockdep | null;
  private fnNames: Map<number, string> | null = null;
  /** Under the explorer: every kernel call waits for this CPU's turn. */
  private readonly gate: Gate | null;

  constructor(
    private readonly module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    readonly L: KernelLayout,
    readonly cpu: number,
    private readonly checks: PoolChecks,
    opts: PoolOptions = {},
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
    this.gate = opts.gate ?? null;
    if (this.gate) this.k = gatedAtomics(this.k, this.gate);
    const area = cpuArea(L, cpu);
    this.scratch = area.scratch;
    this.zspageLocks = new ZspageLockRules(this.mem, L, cpu, (kind, message, lock) => checks.report(kind, message, lock), (p) => this.cString(p));
    this.lockdep = opts.lockdep === false ? null : new KernelLockdep(this.mem, this.bytes, L.lockdep, cpu, module, (m) => checks.report('lock-order', m));
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
      this.lockdep?.reset();
      throw err;
    }
  }

  private cString(p: number): string {
    let end = p;
    while (end < this.bytes.length && this.bytes[end] !== 0) end++;
    return new TextDecoder().decode(this.bytes.slice(p, end));
  }

  private imports(): Record<string, (...args: never[]) => unknown> {
    const calls = this.kernelCalls();
    const gate = this.gate;
    if (!gate) return calls;
    // Calls with no effect on shared memory are not points: the CPU number, preempt_count
    // (its own), lockdep events, WARN and stubs; relax, sleeps and page-lock waits make
    // their own points.
    const local = new Set(['cpu', 'preempt', 'lock_event', 'warn', 'warn_at', 'stub', 'relax', 'sleep', 'wait_bit']);
    return Object.fromEntries(
      Object.entries(calls).map(([name, f]) => [name, local.has(name) ? f : (...args: never[]) => (gate.point(), f(...args))]),
    );
  }

  private kernelCalls(): Record<string, (...args: never[]) => unknown> {
    const k = this.k;
    const mem = () => this.mem;
    const order = (o: number) => MEMORY_ORDERS[o & ~ZS_UNUSED] ?? 'seq_cst';
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
      relax: () => this.relax(),
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
      kasan: (what: number, addr: number, func: number) => this.kasan(what, addr, func),
      lock_event: (lock: number, event: number, trylock: number, kind: number, func: number) => {
        this.lockdep?.event(lock, event, trylock !== 0, kind, func);
        this.zspageLocks.event(lock, event, trylock !== 0, kind, func);
      },
      kspin_lock: (p: number, func: number) => {
        this.lockdep?.event(p, EV.ACQUIRE_WRITE, false, KIND.SPINLOCK, func);
        spinLock(k, this.mem, p >> 2);
      },
      kspin_unlock: (p: number, func: number) => {
        this.lockdep?.event(p, EV.RELEASE, false, KIND.SPINLOCK, func);
        spinUnlock(k, this.mem, p >> 2);
      },
      kspin_trylock: (p: number, func: number) => {
        if (!spinTrylock(k, this.mem, p >> 2)) return 0;
        this.lockdep?.event(p, EV.ACQUIRE_WRITE, true, KIND.SPINLOCK, func);
        return 1;
      },
    };
  }

  private spins = 0;

  /**
   * cpu_relax(): the kernel spins on CPUs nobody else runs on; a worker spins on a core
   * the OS shares among more threads than cores, where a spinner can keep the holder
   * from running. Every RELAX_YIELD spins it gives the core up for a moment.
   */
  private relax(): void {
    if (this.gate) this.gate.point();
    else if (++this.spins % RELAX_YIELD === 0) RAW.wait(this.mem, HDR.STOP, 0, RELAX_YIELD_MS);
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

  /** KASAN's report (zsk_mm.h's __ZSK_KASAN_*): what was touched, in which kernel function. */
  private kasan(what: number, addr: number, func: number): void {
    this.fnNames ??= functionNames(this.module);
    const frames = wasmFrames();
    // a plain access names no function: the innermost kernel function on the stack does
    const inner = frames.map((f) => this.fnNames!.get(f) ?? '?').find((n) => !n.startsWith('__sanitizer_cov_') && n !== 'zsh_kasan_access');
    const where = `${func !== 0 ? this.cString(func) : (inner ?? '?')}()`;
    const base = this.L.frames / KPAGE_BYTES;
    const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
    const access = (write: number) => (write ? 'write' : 'read');
    const detail = [
      `wild-memory-access in ${where}: pfn ${hex(addr)} is outside mem_map[] (pfns ${hex(base)}..${hex(base + this.L.pages - 1)}): a handle or object that no longer decodes to a page`,
      `use-after-free in ${where}: page pfn ${hex(addr)} is free (PG_free)`,
      `slab-use-after-free in ${where}: address ${hex(addr)} is inside a freed slab object`,
      ...[0, 1].map((w) => `use-after-free in ${where}: ${access(w)} at ${hex(addr)}, in page pfn ${hex(addr / KPAGE_BYTES)}, which is free (PG_free)`),
      ...[0, 1].map((w) => `slab-use-after-free in ${where}: ${access(w)} at ${hex(addr)}, inside a freed slab object`),
    ][what]!;
    this.checks.report('memory-safety', `BUG: KASAN: ${detail} (CPU ${this.cpu})\nstack:\n${stackText(frames, this.fnNames)}`);
    // the access would oops, or spin on a poisoned lock: the operation ends here
    throw new KernelBug(`KASAN: ${detail}`);
  }

  /** A sleep of `us` microseconds (< 0: only might_sleep()'s check). */
  sleep(us: number, call: string): void {
    if ((this.preempt & ~IRQS_OFF) !== 0 || (this.preempt & IRQS_OFF) !== 0) {
      const held = this.zspageLocks.count;
      const zs = held > 0 ? `, holding ${held} zspage lock(s)` : '';
      this.checks.report('slept-in-atomic', `BUG: sleeping function called from invalid context: ${call}() with preempt_count ${this.preempt & ~IRQS_OFF}${zs} (CPU ${this.cpu})`);
    }
    this.lockdep?.mightSleep(call);
    // under the explorer a sleep is a point where the others run
    if (us > 0 && this.gate) this.gate.sleep();
    else if (us > 0) RAW.wait(this.mem, HDR.STOP, 0, us / 1000);
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
      if (this.gate) this.gate.point();
      else RAW.wait(this.mem, i, v, 5);
    }
  }

  /** A reader's hold: sleeps `ms` with the object mapped, counted as a sleeper of its zspage lock. */
  sleepHolding(ms: number): void {
    // the context check first: a reader that may not sleep here is reported before any
    // writer can see it asleep
    this.sleep(-1, 'schedule');
    const slot = this.zspageLocks.innermost();
    if (slot >= 0) RAW.add(this.mem, slot + ZLOCK.SLEEPERS, 1);
    try {
      if (this.gate) this.gate.sleep();
      else RAW.wait(this.mem, HDR.STOP, 0, ms);
    } finally {
      if (slot >= 0) RAW.sub(this.mem, slot + ZLOCK.SLEEPERS, 1);
    }
  }

  /** A read lock annotated without lock_acquired() is held once the kernel call returns. */
  settle(): void {
    this.zspageLocks.settle();
  }
}

/** The atomics the shim's spinlocks use (src/locks/c/spinlock.ts), each a point of the gate. */
function gatedAtomics(k: LockAtomics, gate: Gate): LockAtomics {
  const g = { ...k };
  for (const name of ['load', 'store', 'add', 'sub', 'and', 'or', 'xor', 'exchange', 'compareExchange'] as const) {
    const f = k[name] as (...a: unknown[]) => number;
    (g as Record<string, unknown>)[name] = (...a: unknown[]) => (gate.point(), f(...a));
  }
  g.relax = () => gate.point();
  return g;
}
