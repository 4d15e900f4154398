import { seedLockWith } from './seed-with-bug.js';

// Bug: writeTrylock spins until the readers leave: a "trylock" that waits for (sleeping) readers.
export default seedLockWith('busted-waiting-trylock', (atomics) => ({
  writeTrylock(mem, at) {
    for (;;) {
      const v = atomics.load(mem, at);
      if (v === -1) return false; // another writer: give up, as a trylock should
      if (v === 0 && atomics.compareExchange(mem, at, 0, -1) === 0) return true;
      // BUG: readers inside: keep spinning until they leave
    }
  },
}));
