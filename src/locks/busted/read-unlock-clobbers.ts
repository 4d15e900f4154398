import type { LockDesign } from '../contract.js';

// Bug: readUnlock stores 0 (as writeUnlock does), wiping the other readers' counts.
const design: LockDesign = {
  name: 'busted-read-unlock-clobbers',
  words: 1,
  create(atomics) {
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
        atomics.store(mem, at, 0); // BUG: should be sub(1): other readers may still be inside
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
