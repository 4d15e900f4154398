import type { LockAtomics, LockDesign } from './contract.js';

// What landed in Linux 6.15: struct zspage_lock { spinlock_t lock; int cnt; }.
// Word 0 is the spinlock, word 1 the count (-1 while write-locked).
const SPIN = 0;
const CNT = 1;
const ZS_PAGE_UNLOCKED = 0;
const ZS_PAGE_WRLOCKED = -1;

function spinLock(atomics: LockAtomics, mem: Int32Array, at: number): void {
  // test-and-test-and-set, as arch_spin_lock spins on a read before retrying
  while (atomics.compareExchange(mem, at + SPIN, 0, 1) !== 0) {
    while (atomics.load(mem, at + SPIN) !== 0) {
      /* cpu_relax() */
    }
  }
}

const zspageSpinlock: LockDesign = {
  name: 'zspage-spinlock',
  words: 2,
  create(atomics) {
    const spinUnlock = (mem: Int32Array, at: number) => atomics.store(mem, at + SPIN, 0);
    return {
      // zspage_lock_init()
      init(mem, at) {
        atomics.store(mem, at + SPIN, 0);
        atomics.store(mem, at + CNT, ZS_PAGE_UNLOCKED);
      },
      // zspage_read_lock(): spin_lock; cnt++; spin_unlock
      readLock(mem, at) {
        spinLock(atomics, mem, at);
        atomics.store(mem, at + CNT, atomics.load(mem, at + CNT) + 1);
        spinUnlock(mem, at);
      },
      // zspage_read_unlock(): spin_lock; cnt--; spin_unlock
      readUnlock(mem, at) {
        spinLock(atomics, mem, at);
        atomics.store(mem, at + CNT, atomics.load(mem, at + CNT) - 1);
        spinUnlock(mem, at);
      },
      // zspage_write_trylock(): keeps the spinlock held for the whole write section on success.
      writeTrylock(mem, at) {
        spinLock(atomics, mem, at);
        if (atomics.load(mem, at + CNT) === ZS_PAGE_UNLOCKED) {
          atomics.store(mem, at + CNT, ZS_PAGE_WRLOCKED);
          return true;
        }
        spinUnlock(mem, at);
        return false;
      },
      // zspage_write_unlock(): cnt = 0; spin_unlock
      writeUnlock(mem, at) {
        atomics.store(mem, at + CNT, ZS_PAGE_UNLOCKED);
        spinUnlock(mem, at);
      },
    };
  },
};

export default zspageSpinlock;
