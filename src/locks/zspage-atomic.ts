import type { LockDesign } from './contract.js';

// The seed's design (v5 of the series): one atomic_t.
// 0 = unlocked, -1 = write-locked, n > 0 = n readers.
const ZS_PAGE_UNLOCKED = 0;
const ZS_PAGE_WRLOCKED = -1;

const zspageAtomic: LockDesign = {
  name: 'zspage-atomic',
  words: 1,
  create(atomics) {
    return {
      // zspage_lock_init()
      init(mem, at) {
        atomics.store(mem, at, ZS_PAGE_UNLOCKED);
      },
      // zspage_read_lock(): spin while write-locked, then CAS old -> old + 1.
      readLock(mem, at) {
        let old = atomics.load(mem, at);
        for (;;) {
          if (old === ZS_PAGE_WRLOCKED) {
            old = atomics.load(mem, at);
            continue;
          }
          const seen = atomics.compareExchange(mem, at, old, old + 1);
          if (seen === old) return;
          old = seen;
        }
      },
      // zspage_read_unlock(): atomic_dec_return_release()
      readUnlock(mem, at) {
        atomics.sub(mem, at, 1);
      },
      // zspage_write_trylock(): CAS 0 -> -1; the harness holds preemption off around it.
      writeTrylock(mem, at) {
        return atomics.compareExchange(mem, at, ZS_PAGE_UNLOCKED, ZS_PAGE_WRLOCKED) === ZS_PAGE_UNLOCKED;
      },
      // zspage_write_unlock(): atomic_set_release(0)
      writeUnlock(mem, at) {
        atomics.store(mem, at, ZS_PAGE_UNLOCKED);
      },
    };
  },
};

export default zspageAtomic;
