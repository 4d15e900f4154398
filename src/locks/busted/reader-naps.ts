import type { LockDesign } from '../contract.js';

// Bug: a reader that finds a writer naps (atomics.wait, 1 ms) instead of spinning:
// it sleeps while acquiring, where the zspage read lock is taken under the pool lock.
const design: LockDesign = {
  name: 'busted-reader-naps',
  words: 1,
  create(atomics) {
    return {
      init(mem, at) {
        atomics.store(mem, at, 0);
      },
      readLock(mem, at) {
        for (;;) {
          const old = atomics.load(mem, at);
          if (old === -1) {
            atomics.wait(mem, at, -1, 1); // BUG: sleeping while acquiring
            continue;
          }
          if (atomics.compareExchange(mem, at, old, old + 1) === old) return;
        }
      },
      readUnlock(mem, at) {
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
