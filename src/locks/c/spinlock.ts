// spin_lock(), spin_unlock() and spin_trylock() for a C lock, on the atomics the lock
// is given. Holding a spinlock raises preempt_count, as in the kernel, and lockdep (when
// the atomics carry one) sees each by the spinlock's byte address in the arena.
import type { LockAtomics } from '../contract.js';

const addrOf = (mem: Int32Array, index: number) => mem.byteOffset + index * 4;

// test-and-test-and-set, as arch_spin_lock spins on a read before retrying; its rounds keep
// nothing (LockAtomics.loop), and the cmpxchg that succeeds ends it
export function spinLock(k: LockAtomics, mem: Int32Array, index: number): void {
  k.preempt?.(1);
  k.lockdep?.spinLock(addrOf(mem, index)); // spin_acquire() comes before the lock is taken
  k.loop?.('enter');
  while (k.compareExchange(mem, index, 0, 1, 'acquire', 'relaxed') !== 0) {
    do k.relax?.();
    while (k.load(mem, index, 'relaxed') !== 0);
  }
  k.loop?.('leave');
}

export function spinUnlock(k: LockAtomics, mem: Int32Array, index: number): void {
  k.lockdep?.spinUnlock(addrOf(mem, index));
  k.store(mem, index, 0, 'release');
  k.preempt?.(-1);
}

export function spinTrylock(k: LockAtomics, mem: Int32Array, index: number): boolean {
  k.preempt?.(1);
  const ok = k.compareExchange(mem, index, 0, 1, 'acquire', 'relaxed') === 0;
  k.lockdep?.spinTrylock(addrOf(mem, index), ok);
  if (!ok) k.preempt?.(-1);
  return ok;
}
