// The lock-design contract: one ops table per design, as locktorture's
// `struct lock_torture_ops`. The harness never branches on which design runs.

/**
 * A memory ordering a lock may declare on an operation (C11 / LKMM names). Omitted, an
 * operation is sequentially consistent, as the global `Atomics` are. Stress runs execute
 * every operation SC; only the explorer's weak-memory mode gives the orderings meaning.
 */
export type MemoryOrder = 'relaxed' | 'acquire' | 'release' | 'acq_rel' | 'seq_cst';
export const MEMORY_ORDERS: readonly MemoryOrder[] = ['relaxed', 'acquire', 'release', 'acq_rel', 'seq_cst'];

/**
 * 'unused': the caller makes no use of what an RMW returns, as of the kernel's void atomic_inc()
 * or atomic_dec(). Exhaustive exploration then knows the thread without it.
 */
export type ResultUse = 'unused';

/** Where lock code is in a loop that keeps nothing from one round to the next (LockAtomics.loop). */
export type LoopEdge = 'enter' | 'round' | 'leave';

/**
 * The atomics a lock is given: the methods of the global `Atomics` (a lock may pass the
 * global `Atomics` where this type is asked for), each taking an optional ordering, plus
 * three the global lacks: `fence` (smp_mb and friends) and the plain, non-atomic accesses
 * `plainLoad`/`plainStore`, which the weak-memory explorer race-checks.
 */
export interface LockAtomics {
  load(mem: Int32Array, index: number, order?: MemoryOrder): number;
  store(mem: Int32Array, index: number, value: number, order?: MemoryOrder): number;
  add(mem: Int32Array, index: number, value: number, order?: MemoryOrder, use?: ResultUse): number;
  sub(mem: Int32Array, index: number, value: number, order?: MemoryOrder, use?: ResultUse): number;
  and(mem: Int32Array, index: number, value: number, order?: MemoryOrder, use?: ResultUse): number;
  or(mem: Int32Array, index: number, value: number, order?: MemoryOrder, use?: ResultUse): number;
  xor(mem: Int32Array, index: number, value: number, order?: MemoryOrder, use?: ResultUse): number;
  exchange(mem: Int32Array, index: number, value: number, order?: MemoryOrder, use?: ResultUse): number;
  /** `order` applies on success; a failed compareExchange is a load with `failureOrder` (default: `order`). */
  compareExchange(
    mem: Int32Array,
    index: number,
    expected: number,
    replacement: number,
    order?: MemoryOrder,
    failureOrder?: MemoryOrder,
  ): number;
  /** `call`: the kernel call that sleeps (a C lock's msleep, schedule, ...), for reports. */
  wait(mem: Int32Array, index: number, value: number, timeout?: number, call?: string): 'ok' | 'not-equal' | 'timed-out';
  notify(mem: Int32Array, index: number, count?: number): number;
  // 64-bit atomics (atomic64_t): one operation on mem[index] (low half) and mem[index + 1],
  // with index 8-byte aligned in the buffer. RMWs return the old value. Absent (the global
  // Atomics), a C lock's shim uses the raw ones (locks/atomics64.ts).
  load64?(mem: Int32Array, index: number, order?: MemoryOrder): bigint;
  store64?(mem: Int32Array, index: number, value: bigint, order?: MemoryOrder): bigint;
  add64?(mem: Int32Array, index: number, value: bigint, order?: MemoryOrder): bigint;
  and64?(mem: Int32Array, index: number, value: bigint, order?: MemoryOrder): bigint;
  or64?(mem: Int32Array, index: number, value: bigint, order?: MemoryOrder): bigint;
  xor64?(mem: Int32Array, index: number, value: bigint, order?: MemoryOrder): bigint;
  exchange64?(mem: Int32Array, index: number, value: bigint, order?: MemoryOrder): bigint;
  compareExchange64?(
    mem: Int32Array,
    index: number,
    expected: bigint,
    replacement: bigint,
    order?: MemoryOrder,
    failureOrder?: MemoryOrder,
  ): bigint;
  /** A fence: 'seq_cst' is smp_mb(), 'acquire' smp_rmb(), 'release' smp_wmb(). */
  fence?(order: MemoryOrder): void;
  /** A plain (non-atomic) load of shared memory, as `mem[index]`; race-checked by the weak explorer. */
  plainLoad?(mem: Int32Array, index: number): number;
  /** A plain (non-atomic) store to shared memory, as `mem[index] = value`. */
  plainStore?(mem: Int32Array, index: number, value: number): void;
  /**
   * Told of a plain access the lock made by itself (a C lock's `zsl->cnt`, seen through
   * compiler instrumentation): no value, no scheduling step; the weak explorer race-checks it.
   */
  plainAccess?(mem: Int32Array, index: number, write: boolean): void;
  // Kernel services a lock written against the kernel API calls (a C module's shim does).
  /** cpu_relax(): a spin-loop hint, and a point where the explorer interleaves. */
  relax?(): void;
  /**
   * Brackets a loop whose rounds carry nothing from one to the next but what the last op read,
   * and after which nothing the rounds did matters but the op that ended it, as spin_lock()'s:
   * 'enter' before its first round, 'leave' right after that op; and, where a round writes,
   * 'round' at the top of each round after the first. Exhaustive exploration then knows the
   * thread at a new round as at the first, past the loop as if that op had come in the first
   * round, and cuts a round that only read and came back to where it was (spin-fold.ts).
   */
  loop?(edge: LoopEdge): void;
  /** Adds `delta` to the calling thread's preempt_count (spin_lock, preempt_disable) and returns it. */
  preempt?(delta: number): number;
  /** A WARN_ON/BUG_ON in the lock fired; `message` names its file and line. */
  warn?(message: string): void;
  /** Present in stress runs with lockdep on: where a lock reports its own spinlocks. */
  lockdep?: SpinlockTracker;
}

/**
 * Lock-order tracking (lockdep) for a lock's own spinlocks, by byte address in the arena:
 * a C lock's kernel shim calls it from spin_lock(), spin_trylock() and spin_unlock().
 */
export interface SpinlockTracker {
  spinLock(addr: number): void;
  spinTrylock(addr: number, ok: boolean): void;
  spinUnlock(addr: number): void;
}

/** The operations of one zspage lock instance living at `mem[at .. at + words)`. */
export interface LockOps {
  init(mem: Int32Array, at: number): void;
  /** May spin; never sleeps. */
  readLock(mem: Int32Array, at: number): void;
  readUnlock(mem: Int32Array, at: number): void;
  /** Must never wait for a reader. */
  writeTrylock(mem: Int32Array, at: number): boolean;
  writeUnlock(mem: Int32Array, at: number): void;
}

/** The default export of a lock module. */
export interface LockDesign {
  name: string;
  /** Int32 words reserved per zspage lock, 1..16. */
  words: number;
  create(atomics: LockAtomics): LockOps;
  /**
   * The lock also reads and writes its words with plain loads and stores the atomics never
   * see (a C module's `zsl->cnt++`): the explorer snapshots memory to re-execute it soundly.
   */
  plainAccess?: boolean;
  /**
   * Every plain access the lock makes to its words is reported through LockAtomics.plainAccess
   * (a C lock's instrumented build sets it): exhaustive exploration then keys a call by the words
   * its plain code read, not by every word.
   */
  plainReported?: boolean;
  /**
   * Each call depends only on the lock words and the results of its own atomic ops: the ops
   * table keeps nothing from one call to the next (its closures hold the atomics and constants).
   * Exhaustive exploration then knows a thread's state by its current call alone.
   */
  callsIndependent?: boolean;
  /** A lock compiled from source (a C module): the file, its text and the cache hash. */
  source?: { file: string; text: string; hash: string };
}

export const MAX_LOCK_WORDS = 16;
export const LOCK_OP_NAMES = ['init', 'readLock', 'readUnlock', 'writeTrylock', 'writeUnlock'] as const;
