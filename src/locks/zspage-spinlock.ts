import type { LockAtomics, LockDesign } from './contract.js';

// What landed in Linux 6.15 (mm/zsmalloc.c), ported statement by statement:
// struct zspage_lock { spinlock_t lock; int cnt; }: word 0 the spinlock, word 1 the count
// (-1 while write-locked). `cnt` is a plain int, read and written under the spinlock: plain
// accesses here. lockdep calls (rwsem_acquire_read & co.) compile away without
// CONFIG_DEBUG_LOCK_ALLOC. spin_lock() disables preemption until spin_unlock(), so a write
// section, which keeps the spinlock, is atomic.
const LOCK = 0;
const CNT = 1;
const ZS_PAGE_UNLOCKED = 0;
const ZS_PAGE_WRLOCKED = -1;
const Q_LOCKED_VAL = 1;

type Plain = { load(mem: Int32Array, i: number): number; store(mem: Int32Array, i: number, v: number): void };

/** The lock's plain accesses: the atomics' own if it has them (so they are seen), else real plain ones. */
function plainAccess(atomics: LockAtomics): Plain {
  const { plainLoad, plainStore } = atomics;
  return {
    load: plainLoad ? (m, i) => plainLoad.call(atomics, m, i) : (m, i) => m[i]!,
    store: plainStore ? (m, i, v) => plainStore.call(atomics, m, i, v) : (m, i, v) => void (m[i] = v),
  };
}

// arch_spin_lock() as the queued spinlock's fast path,
// atomic_try_cmpxchg_acquire(&lock->val, &val, _Q_LOCKED_VAL); its MCS queue is not
// ported: a waiter spins reading the word until it is free, then tries again.
// The rounds keep nothing, and the cmpxchg that succeeds ends them: the explorer is told so
// (LockAtomics.loop), to know the thread past them as if it had won at once.
function spinLock(atomics: LockAtomics, mem: Int32Array, lock: number): void {
  atomics.preempt?.(1); // preempt_disable()
  atomics.loop?.('enter');
  while (atomics.compareExchange(mem, lock, 0, Q_LOCKED_VAL, 'acquire', 'relaxed') !== 0) {
    while (atomics.load(mem, lock, 'relaxed') !== 0) {
      /* cpu_relax() */
    }
  }
  atomics.loop?.('leave');
}

// arch_spin_unlock(): smp_store_release(&lock->locked, 0)
function spinUnlock(atomics: LockAtomics, mem: Int32Array, lock: number): void {
  atomics.store(mem, lock, 0, 'release');
  atomics.preempt?.(-1); // preempt_enable()
}

const zspageSpinlock: LockDesign = {
  name: 'zspage-spinlock',
  words: 2,
  callsIndependent: true,
  create(atomics) {
    const plain = plainAccess(atomics);
    return {
      // zspage_lock_init()
      init(mem, zsl) {
        plain.store(mem, zsl + LOCK, 0); // spin_lock_init(&zsl->lock)
        plain.store(mem, zsl + CNT, ZS_PAGE_UNLOCKED); // zsl->cnt = ZS_PAGE_UNLOCKED
      },
      // zspage_read_lock()
      readLock(mem, zsl) {
        spinLock(atomics, mem, zsl + LOCK);
        plain.store(mem, zsl + CNT, plain.load(mem, zsl + CNT) + 1); // zsl->cnt++
        spinUnlock(atomics, mem, zsl + LOCK);
      },
      // zspage_read_unlock()
      readUnlock(mem, zsl) {
        spinLock(atomics, mem, zsl + LOCK);
        plain.store(mem, zsl + CNT, plain.load(mem, zsl + CNT) - 1); // zsl->cnt--
        spinUnlock(atomics, mem, zsl + LOCK);
      },
      // zspage_write_trylock(): on success it returns holding the spinlock, for the whole write section.
      writeTrylock(mem, zsl) {
        spinLock(atomics, mem, zsl + LOCK);
        if (plain.load(mem, zsl + CNT) === ZS_PAGE_UNLOCKED) {
          plain.store(mem, zsl + CNT, ZS_PAGE_WRLOCKED);
          return true;
        }
        /* lock_contended() */
        spinUnlock(atomics, mem, zsl + LOCK);
        return false;
      },
      // zspage_write_unlock()
      writeUnlock(mem, zsl) {
        plain.store(mem, zsl + CNT, ZS_PAGE_UNLOCKED);
        spinUnlock(atomics, mem, zsl + LOCK);
      },
    };
  },
};

export default zspageSpinlock;
