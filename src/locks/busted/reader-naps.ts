import { seedLockWith } from './seed-with-bug.js';

// Bug: a reader that finds a writer naps (atomics.wait, 1 ms) instead of spinning:
// it sleeps while acquiring, where the zspage read lock is taken under the pool lock.
export default seedLockWith('busted-reader-naps', (atomics) => ({
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
}));
