import type { LockDesign } from '../contract.js';

/** Every this many readUnlock calls (per create()), the decrement is skipped. */
export const FORGET_EVERY = 3000;

// Bug: readUnlock forgets the decrement once every FORGET_EVERY calls, leaving the lock read-held.
const design: LockDesign = {
  name: 'busted-forgotten-unlock',
  words: 1,
  create(atomics) {
    let unlocks = 0; // closure state: one counter per ops table (per worker)
    return {
      init(mem, at) {
        atomics.store(mem, at, 0);
      },
      readLock(mem, at) {
        for (;;) {
          const old = atomics.load(mem, at);
          if (old !== -1 && atomics.compareExchange(mem, at, old, old + 1) === old) return;
        }
      },
      readUnlock(mem, at) {
        if (++unlocks % FORGET_EVERY === 0) return; // BUG: decrement forgotten
        atomics.sub(mem, at, 1);
      },
      writeTrylock(mem, at) {
        return atomics.compareExchange(mem, at, 0, -1) === 0;
      },
      writeUnlock(mem, at) {
        atomics.store(mem, at, 0);
      },
    };
  },
};

export default design;
