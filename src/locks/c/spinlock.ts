// spin_lock(), spin_unlock() and spin_trylock() for a C lock, on the atomics the lock
// is given. Each carries the spinlock's word, so a checker can hook them here.
// Holding a spinlock raises preempt_count, as in the kernel.
import type { LockAtomics } from '../contract.js';

// test-and-test-and-set, as arch_spin_lock spins on a read before retrying
export function spinLock(k: LockAtomics, mem: Int32Array, index: number): void {
  k.preempt?.(1);
  while (k.compareExchange(mem, index, 0, 1, 'acquire', 'relaxed') !== 0) {
    do k.relax?.();
    while (k.load(mem, index, 'relaxed') !== 0);
  }
}

export function spinUnlock(k: LockAtomics, mem: Int32Array, index: number): void {
  k.store(mem, index, 0, 'release');
  k.preempt?.(-1);
}

export function spinTrylock(k: LockAtomics, mem: Int32Array, index: number): boolean {
  k.preempt?.(1);
  if (k.compareExchange(mem, index, 0, 1, 'acquire', 'relaxed') === 0) return true;
  k.preempt?.(-1);
  return false;
}
