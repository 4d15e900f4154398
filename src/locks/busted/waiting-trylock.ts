import type { LockDesign } from '../contract.js';

// Bug: writeTrylock spins until the readers leave: a "trylock" that waits for (sleeping) readers.
const design: LockDesign = {
  name: 'busted-waiting-trylock',
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
        for (;;) {
          const v = atomics.load(mem, at);
          if (v === -1) return false; // another writer: give up, as a trylock should
          if (v === 0 && atomics.compareExchange(mem, at, 0, -1) === 0) return true;
          // BUG: readers inside: keep spinning until they leave
        }
      },
      writeUnlock(mem, at) {
        atomics.store(mem, at, 0);
      },
    };
  },
};

export default design;
