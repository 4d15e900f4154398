// The context each lock operation is called in, as the kernel's callers give it. A lock
// may assert it (`WARN_ON_ONCE(preemptible())` in the seed's write trylock), so every
// place that calls lock code (role workers, explorer, audit, probe, setup) gives exactly
// this: a correct lock never fails for a context the kernel never produces, and a wrong
// context the kernel does produce (lock_zspage() taking the read lock preemptible) is met.
import type { LOCK_OP_NAMES, LockAtomics } from './contract.js';

export type LockOpName = (typeof LOCK_OP_NAMES)[number];

/** One kernel caller of a lock operation. */
export interface LockCaller {
  /** The kernel function that calls it (mm/zsmalloc.c). */
  fn: string;
  /** preempt_count() on entry, from what the caller holds (a write trylock's own preempt_disable() or spinlock comes on top). */
  preemptCount: number;
  /** What the caller holds, for traces and messages. */
  holds: string;
}

/** Every caller of each operation; the first is the one harness code outside the model uses. */
export const LOCK_CALLERS: Readonly<Record<LockOpName, readonly [LockCaller, ...LockCaller[]]>> = {
  // alloc_zspage() from zs_malloc(): no lock held, the page allocation may sleep.
  init: [{ fn: 'alloc_zspage', preemptCount: 0, holds: 'nothing' }],
  readLock: [
    // zs_obj_read_begin(), zs_obj_read_sg_begin() and zs_obj_write(): read_lock(&pool->lock)
    // disables preemption.
    { fn: 'zs_obj_read_begin', preemptCount: 1, holds: 'pool->lock (read)' },
    // lock_zspage(), from the deferred-free work item: nothing held, preemptible.
    { fn: 'lock_zspage', preemptCount: 0, holds: 'nothing' },
  ],
  // zs_obj_read_end() after the user slept with the object mapped; zs_obj_read_sg_end(),
  // zs_obj_write() and lock_zspage() likewise hold nothing.
  readUnlock: [{ fn: 'zs_obj_read_end', preemptCount: 0, holds: 'nothing' }],
  // zs_page_migrate() and __zs_compact(): write_lock(&pool->lock), then spin_lock(&class->lock).
  writeTrylock: [
    { fn: 'zs_page_migrate', preemptCount: 2, holds: 'pool->lock (write), class->lock' },
    { fn: '__zs_compact', preemptCount: 2, holds: 'pool->lock (write), class->lock' },
  ],
  // As the lock itself left it: zs_page_migrate() drops the pool and class locks first,
  // __zs_compact() still holds both.
  writeUnlock: [
    { fn: 'zs_page_migrate', preemptCount: 0, holds: 'nothing' },
    { fn: '__zs_compact', preemptCount: 2, holds: 'pool->lock (write), class->lock' },
  ],
};

/** A thread's preempt_count, as the model's Cpu keeps it. */
export interface PreemptCount {
  preemptCount: number;
}

/** The caller a harness thread's n-th call of `op` models: each of the op's callers in turn. */
export function callerFor(op: LockOpName, n: number): LockCaller {
  const callers = LOCK_CALLERS[op];
  return callers[n % callers.length]!;
}

/** Runs one lock operation with preempt_count raised as its `caller` holds it. */
export function callAs<T>(cpu: PreemptCount, op: LockOpName, run: () => T, caller: LockCaller = LOCK_CALLERS[op][0]): T {
  cpu.preemptCount += caller.preemptCount;
  try {
    return run();
  } finally {
    cpu.preemptCount -= caller.preemptCount;
  }
}

/** How a message names a caller: "zs_page_migrate, holding pool->lock (write), class->lock". */
export const describeCaller = (c: LockCaller): string =>
  c.preemptCount === 0 ? `${c.fn}, preemptible` : `${c.fn}, holding ${c.holds}`;

/** `atomics` (the raw global, say) with a preempt_count kept in `cpu`, for harness code outside the model. */
export function withPreemptCount(atomics: typeof Atomics | LockAtomics, cpu: PreemptCount): LockAtomics {
  return Object.create(atomics, { preempt: { value: (delta: number) => (cpu.preemptCount += delta) } }) as LockAtomics;
}
