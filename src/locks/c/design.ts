// A C lock as an ordinary LockDesign: the harness never branches on the lock's form.
//
// One WebAssembly instance per thread and memory, each with a stack of its own. The
// module imports its memory: on the arena (a shared WebAssembly memory) the lock's
// struct zspage is the arena's lock words themselves, so plain C accesses are real
// loads and stores on shared memory. On any other Int32Array (the explorer's simulated
// memory, the probe's) the instance runs on a private memory with the struct in a
// slot that mirrors the caller's words: copied in when a call starts, out when it
// returns, and both ways around every kernel call, so the caller's memory is exact at
// every point where another thread could run (always inside a kernel call).
//
// Every kernel call of the shim (atomics, cpu_relax, preempt_count, sleeps, WARN/BUG,
// spinlocks) is performed on the atomics the design was created with, with its
// memory ordering (LKMM, Documentation/atomic_t.txt) as the `order` argument.
import { arenaMemoryOf } from '../../arena/arena.js';
import { C_DATA_BASE, C_DATA_BYTES } from '../../arena/layout.js';
import { BadInputError } from '../../errors.js';
import { atomics64Of } from '../atomics64.js';
import { MAX_LOCK_WORDS, MEMORY_ORDERS, type LockAtomics, type LockDesign, type LockOps, type ResultUse } from '../contract.js';
import type { CompiledLock } from './compile.js';
import { spinLock, spinTrylock, spinUnlock } from './spinlock.js';

// Captured before any lock code runs: while a lock call runs, the global may be a stand-in.
const RAW_ATOMICS = Atomics;
const EXPORTS = ['zs_init', 'zs_read_lock', 'zs_read_unlock', 'zs_write_trylock', 'zs_write_unlock', 'zs_sizeof', 'zs_alignof'];
const WARN_KINDS = ['WARN_ON', 'WARN_ON_ONCE', 'BUG_ON'];
const WARN_ONCE = 1;
/** __ZS_UNUSED (zspage_base.h): or-ed into a void RMW's ordering, as atomic_inc()'s. */
export const ZS_UNUSED = 8;
/** The shim's sleeping calls, by the code it passes (zspage_kernel.h __ZS_MSLEEP ...). */
const SLEEP_CALLS = ['msleep', 'usleep_range', 'schedule', 'cond_resched', 'might_sleep'];
const PAGE = 65536;
/** In a private memory: where the struct lives (after the static data), and the stack below the end of the page. */
const SLOT = C_DATA_BASE + C_DATA_BYTES;

type Fn = (z: number) => number;
/** A kernel call's arguments are numbers, and BigInt where the C side passes an s64. */
type KernelCall = (...args: never[]) => number | bigint | void;

interface Exports {
  zs_init: Fn;
  zs_read_lock: Fn;
  zs_read_unlock: Fn;
  zs_write_trylock: Fn;
  zs_write_unlock: Fn;
  zs_sizeof(): number;
  zs_alignof(): number;
  __stack_pointer: WebAssembly.Global;
  __data_end: WebAssembly.Global;
}

/** One instance: the call in progress (set by each lock call; calls never nest). */
class Runtime {
  k: LockAtomics = RAW_ATOMICS as unknown as LockAtomics;
  mem: Int32Array = new Int32Array(0);
  at = 0;
  exports!: Exports;
  /** WARN_ON_ONCE lines already reported by the calling ops table. */
  warned = new Set<number>();

  constructor(
    readonly file: string,
    readonly words: number,
    /** Private mode: the slot's words, mirrored to mem[at ..]. Null on the arena itself. */
    readonly slot: Int32Array | null,
  ) {}

  /** A plain access the instrumented build reports: the lock's own words only (not the stack). */
  plain(p: number, write: boolean): void {
    const base = this.slot ? SLOT : this.mem.byteOffset + this.at * 4;
    const rel = p - base;
    if (rel >= 0 && rel < this.words * 4) this.k.plainAccess?.(this.mem, this.at + (rel >> 2), write);
  }

  /** The caller's index of a pointer the C code passed to an object of `bytes` (4 or 8). */
  index(p: number, bytes = 4): number {
    if (this.slot === null) return (p - this.mem.byteOffset) >> 2;
    const rel = p - SLOT;
    if (rel < 0 || rel + bytes > this.words * 4 || (rel & (bytes - 1)) !== 0) {
      throw new Error(`${this.file}: a kernel call on address ${p}, outside struct zspage`);
    }
    return this.at + (rel >> 2);
  }

  flush(): void {
    if (this.slot) this.mem.set(this.slot, this.at);
  }

  reload(): void {
    if (this.slot) this.slot.set(this.mem.subarray(this.at, this.at + this.words));
  }

  imports(): Record<string, KernelCall> {
    const order = (o: number) => MEMORY_ORDERS[o & ~ZS_UNUSED] ?? 'seq_cst';
    const use = (o: number): ResultUse | undefined => (o & ZS_UNUSED ? 'unused' : undefined); // a void RMW's (atomic_inc())
    // 64-bit values cross the boundary as BigInt (wasm i64)
    const k64 = () => atomics64Of(this.k);
    const at64 = (p: unknown) => this.index(p as number, 8);
    const calls: Record<string, KernelCall> = {
      load: (p, o) => this.k.load(this.mem, this.index(p), order(o)),
      store: (p, v, o) => void this.k.store(this.mem, this.index(p), v, order(o)),
      add: (p, v, o) => this.k.add(this.mem, this.index(p), v, order(o), use(o)),
      and: (p, v, o) => this.k.and(this.mem, this.index(p), v, order(o), use(o)),
      or: (p, v, o) => this.k.or(this.mem, this.index(p), v, order(o), use(o)),
      xor: (p, v, o) => this.k.xor(this.mem, this.index(p), v, order(o), use(o)),
      xchg: (p, v, o) => this.k.exchange(this.mem, this.index(p), v, order(o), use(o)),
      cmpxchg: (p, e, n, o, f) => this.k.compareExchange(this.mem, this.index(p), e, n, order(o), order(f)),
      load64: (p, o) => k64().load64(this.mem, at64(p), order(o)),
      store64: (p, v, o) => void k64().store64(this.mem, at64(p), v, order(o)),
      add64: (p, v, o) => k64().add64(this.mem, at64(p), v, order(o)),
      and64: (p, v, o) => k64().and64(this.mem, at64(p), v, order(o)),
      or64: (p, v, o) => k64().or64(this.mem, at64(p), v, order(o)),
      xor64: (p, v, o) => k64().xor64(this.mem, at64(p), v, order(o)),
      xchg64: (p, v, o) => k64().exchange64(this.mem, at64(p), v, order(o)),
      cmpxchg64: (p, e, n, o, f) => k64().compareExchange64(this.mem, at64(p), e, n, order(o), order(f)),
      fence: (o) => this.k.fence?.(order(o)),
      relax: () => this.k.relax?.(),
      preempt: (d) => this.k.preempt?.(d) ?? 0,
      // A sleep is atomics.wait on the lock's first word (might_sleep: one that cannot block),
      // so every check of a JS lock's sleeping applies.
      sleep: (us, call) => {
        const now = RAW_ATOMICS.load(this.mem, this.at);
        const name = SLEEP_CALLS[call] ?? 'a sleeping call';
        if (us < 0) this.k.wait(this.mem, this.at, (now + 1) | 0, 0, name);
        else this.k.wait(this.mem, this.at, now, us / 1000, name);
      },
      warn: (line, kind) => {
        if (kind === WARN_ONCE && this.warned.has(line)) return;
        this.warned.add(line);
        this.k.warn?.(`${WARN_KINDS[kind] ?? 'WARN'} at ${this.file}:${line}`);
      },
      spin_lock: (p) => spinLock(this.k, this.mem, this.index(p)),
      spin_unlock: (p) => spinUnlock(this.k, this.mem, this.index(p)),
      spin_trylock: (p) => (spinTrylock(this.k, this.mem, this.index(p)) ? 1 : 0),
    };
    if (this.slot === null) return calls;
    // Private mode: the caller's words are exact whenever control leaves the C code.
    const mirrored: typeof calls = {};
    for (const [name, fn] of Object.entries(calls)) {
      mirrored[name] = (...args: unknown[]) => {
        this.flush();
        const r = fn(...(args as never[]));
        this.reload();
        return r;
      };
    }
    return mirrored;
  }

  /** Runs one lock operation of this instance for `k` on mem[at ..]. */
  call(fn: Fn, k: LockAtomics, warned: Set<number>, mem: Int32Array, at: number): number {
    this.k = k;
    this.warned = warned;
    this.mem = mem;
    this.at = at;
    const sp = this.exports.__stack_pointer;
    const top = sp.value;
    const z = this.slot ? SLOT : mem.byteOffset + at * 4;
    this.reload();
    try {
      const r = fn(z);
      this.flush();
      return r;
    } finally {
      // An exception thrown through the C code skips its epilogues: restore its stack. (It
      // comes from a kernel call, before which the words were flushed: no flush here.)
      sp.value = top;
    }
  }
}

/** Builds the design from a compiled module; a module outside the contract is a BadInputError. */
export function cLockDesign(compiled: CompiledLock): LockDesign {
  const fail = (what: string): never => {
    throw new BadInputError(`${compiled.file}: ${what}`);
  };
  const module = new WebAssembly.Module(compiled.wasm as unknown as ArrayBuffer);
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const e of EXPORTS) {
    if (!names.has(e)) fail('no ZSPAGE_LOCK_OPS(init, read_lock, read_unlock, write_trylock, write_unlock); at the end of the file');
  }
  const runtimes = new WeakMap<object, Runtime>();
  let words = 1;
  const instantiate = (memory: WebAssembly.Memory, slot: Int32Array | null, stackTop: number): Runtime => {
    const rt = new Runtime(compiled.file, words, slot);
    const instance = new WebAssembly.Instance(module, { env: { memory, ...plainAccessImports(rt) }, kernel: rt.imports() });
    rt.exports = instance.exports as unknown as Exports;
    rt.exports.__stack_pointer.value = stackTop;
    return rt;
  };
  // One private memory per thread serves every foreign Int32Array.
  const privateKey = {};
  const runtimeFor = (mem: Int32Array): Runtime => {
    const arena = arenaMemoryOf(mem.buffer);
    const key = arena ? mem.buffer : privateKey;
    let rt = runtimes.get(key);
    if (!rt) {
      if (arena) {
        rt = instantiate(arena.memory, null, arena.claimStack().top);
      } else {
        const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
        const slot = new Int32Array(memory.buffer as unknown as SharedArrayBuffer, SLOT, words);
        rt = instantiate(memory, slot, PAGE);
      }
      runtimes.set(key, rt);
    }
    return rt;
  };

  // The contract's checks, on a private instance.
  const first = runtimeFor(new Int32Array(0));
  const size = first.exports.zs_sizeof();
  const align = first.exports.zs_alignof();
  const data = first.exports.__data_end.value - C_DATA_BASE;
  if (data > C_DATA_BYTES) fail(`has ${data} bytes of static data; at most ${C_DATA_BYTES}`);
  if (align > 8) fail(`struct zspage is aligned to ${align} bytes; the harness places it on 8-byte boundaries`);
  words = Math.max(1, Math.ceil(size / 4));
  if (words > MAX_LOCK_WORDS) fail(`struct zspage is ${size} bytes; at most ${MAX_LOCK_WORDS * 4}`);
  runtimes.delete(privateKey); // built before `words` was known

  return {
    name: compiled.file.replace(/^.*[\\/]/, ''),
    words,
    plainAccess: true,
    plainReported: compiled.plainAccesses,
    source: { file: compiled.file, text: compiled.source, hash: compiled.hash },
    create: (k: LockAtomics) => cLockOps(k, runtimeFor),
  };
}

/** One ops table: each call runs the module's function on the instance for its memory. */
function cLockOps(k: LockAtomics, runtimeFor: (mem: Int32Array) => Runtime): LockOps {
  // WARN_ON_ONCE: once per ops table (per worker; per step in the explorer, which re-runs)
  const warned = new Set<number>();
  let lastMem: Int32Array | null = null;
  let lastRt: Runtime | null = null;
  const rtOf = (mem: Int32Array) => {
    if (mem !== lastMem) {
      lastRt = runtimeFor(mem);
      lastMem = mem;
    }
    return lastRt!;
  };
  return {
    init: (mem, at) => {
      const rt = rtOf(mem);
      rt.call(rt.exports.zs_init, k, warned, mem, at);
    },
    readLock: (mem, at) => {
      const rt = rtOf(mem);
      rt.call(rt.exports.zs_read_lock, k, warned, mem, at);
    },
    readUnlock: (mem, at) => {
      const rt = rtOf(mem);
      rt.call(rt.exports.zs_read_unlock, k, warned, mem, at);
    },
    writeTrylock: (mem, at) => {
      const rt = rtOf(mem);
      return rt.call(rt.exports.zs_write_trylock, k, warned, mem, at) !== 0;
    },
    writeUnlock: (mem, at) => {
      const rt = rtOf(mem);
      rt.call(rt.exports.zs_write_unlock, k, warned, mem, at);
    },
  };
}

/** The callbacks of a build with PLAIN_ACCESS_FLAGS (unused by the others). */
function plainAccessImports(rt: Runtime): Record<string, (p: number) => void> {
  const out: Record<string, (p: number) => void> = {};
  for (const n of [1, 2, 4, 8, 16]) {
    out[`__sanitizer_cov_load${n}`] = (p) => rt.plain(p, false);
    out[`__sanitizer_cov_store${n}`] = (p) => rt.plain(p, true);
  }
  return out;
}
