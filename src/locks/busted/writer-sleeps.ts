import type { LockDesign } from '../contract.js';

// Bug: the writer naps (atomics.wait, 1 ms) right after taking the lock: it sleeps holding it.
const design: LockDesign = {
  name: 'busted-writer-sleeps',
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
        atomics.sub(mem, at, 1);
      },
      writeTrylock(mem, at) {
        if (atomics.compareExchange(mem, at, 0, -1) !== 0) return false;
        atomics.wait(mem, at, -1, 1); // BUG: the word is -1, so this really sleeps ~1 ms
        return true;
      },
      writeUnlock(mem, at) {
        atomics.store(mem, at, 0);
      },
    };
  },
};

export default design;
