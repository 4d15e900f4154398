// The harness's own kernel locks, on raw Atomics (the lock under test never sees
// them): pool->lock (rwlock_t), class->lock and allocator spinlocks, page locks.
// Holding any of them is atomic context: preempt_count goes up, as in the kernel,
// and the lock under test must not sleep there (invariants/probe-atomics).
import { POOL } from '../arena/layout.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

/**
 * Lock events, as the kernel's lockdep annotations report them (invariants/lockdep).
 * `at` is the lock's Int32 index in the arena; `site` names the model function (lock-sites).
 * A blocking acquire is reported before it spins, a trylock once it succeeded, a release
 * before the lock is dropped.
 */
export interface LockTracker {
  acquire(at: number, read: boolean, trylock: boolean, site: number): void;
  release(at: number, site: number): void;
  /** might_sleep(): the thread is about to sleep. */
  mightSleep(site: number): void;
}

export const NO_LOCK_TRACKING: LockTracker = {
  acquire() {},
  release() {},
  mightSleep() {},
};

/** Per-thread CPU state: the kernel's preempt_count() and current's held locks. */
export interface Cpu {
  preemptCount: number;
  locks: LockTracker;
  /** The zspage lock operation in progress (a lock-sites index), for the lock's own locks. */
  lockOp: number;
  /** The model function that called it (a lock-sites index): a WARN in the lock names it. */
  lockCaller: number;
}

export const newCpu = (locks: LockTracker = NO_LOCK_TRACKING): Cpu => ({ preemptCount: 0, locks, lockOp: -1, lockCaller: -1 });

// Spinning against a holder the OS has descheduled burns the whole time slice on
// two cores; after a while, give the core away for a moment.
const SPINS_BEFORE_YIELD = 1 << 10;
const yieldWord = new Int32Array(new SharedArrayBuffer(4));
function relax(spins: number): number {
  if (++spins < SPINS_BEFORE_YIELD) return spins;
  Atomics.wait(yieldWord, 0, 0, 0.02);
  return 0;
}

// spin_lock() / spin_unlock()
export function spinLock(cpu: Cpu, mem: Int32Array, at: number, site: number): void {
  cpu.locks.acquire(at, false, false, site);
  cpu.preemptCount++;
  let spins = 0;
  while (Atomics.compareExchange(mem, at, 0, 1) !== 0) {
    while (Atomics.load(mem, at) !== 0) spins = relax(spins);
  }
}

export function spinUnlock(cpu: Cpu, mem: Int32Array, at: number, site: number): void {
  cpu.locks.release(at, site);
  Atomics.store(mem, at, 0);
  cpu.preemptCount--;
}

/** trylock_page() / unlock_page(): a page lock is a sleeping lock, so no preemption change. */
export function pageTrylock(cpu: Cpu, mem: Int32Array, at: number, site: number): boolean {
  if (Atomics.compareExchange(mem, at, 0, 1) !== 0) return false;
  cpu.locks.acquire(at, false, true, site);
  return true;
}

export function pageUnlock(cpu: Cpu, mem: Int32Array, at: number, site: number): void {
  cpu.locks.release(at, site);
  Atomics.store(mem, at, 0);
}

// pool->lock as a queued rwlock: a waiting writer holds back new readers.
const WRITER = -1;

export function poolReadLock(cpu: Cpu, mem: Int32Array, pool: number, site: number): void {
  cpu.locks.acquire(pool, true, false, site);
  cpu.preemptCount++;
  let spins = 0;
  let waiting = false;
  for (;;) {
    if (Atomics.load(mem, pool + POOL.WRITERS_WAITING) === 0) {
      const s = Atomics.load(mem, pool + POOL.STATE);
      if (s !== WRITER && Atomics.compareExchange(mem, pool + POOL.STATE, s, s + 1) === s) break;
    }
    if (!waiting) {
      waiting = true;
      Atomics.add(mem, pool + POOL.WAITERS, 1);
    }
    spins = relax(spins);
  }
  if (waiting) Atomics.sub(mem, pool + POOL.WAITERS, 1);
}

export function poolReadUnlock(cpu: Cpu, mem: Int32Array, pool: number, site: number): void {
  cpu.locks.release(pool, site);
  Atomics.sub(mem, pool + POOL.STATE, 1);
  cpu.preemptCount--;
}

export function poolWriteLock(cpu: Cpu, mem: Int32Array, pool: number, site: number): void {
  cpu.locks.acquire(pool, false, false, site);
  cpu.preemptCount++;
  if (Atomics.compareExchange(mem, pool + POOL.STATE, 0, WRITER) === 0) return;
  Atomics.add(mem, pool + POOL.WRITERS_WAITING, 1);
  Atomics.add(mem, pool + POOL.WAITERS, 1);
  let spins = 0;
  while (Atomics.compareExchange(mem, pool + POOL.STATE, 0, WRITER) !== 0) spins = relax(spins);
  Atomics.sub(mem, pool + POOL.WAITERS, 1);
  Atomics.sub(mem, pool + POOL.WRITERS_WAITING, 1);
}

export function poolWriteUnlock(cpu: Cpu, mem: Int32Array, pool: number, site: number): void {
  cpu.locks.release(pool, site);
  Atomics.store(mem, pool + POOL.STATE, 0);
  cpu.preemptCount--;
}

// rwlock_is_contended()
export function poolIsContended(mem: Int32Array, pool: number): boolean {
  return Atomics.load(mem, pool + POOL.WAITERS) > 0;
}
