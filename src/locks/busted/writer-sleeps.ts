import { seedLockWith } from './seed-with-bug.js';

// Bug: the writer naps (atomics.wait, 1 ms) right after taking the lock: it sleeps holding it.
export default seedLockWith('busted-writer-sleeps', (atomics) => ({
  writeTrylock(mem, at) {
    if (atomics.compareExchange(mem, at, 0, -1) !== 0) return false;
    atomics.wait(mem, at, -1, 1); // BUG: the word is -1, so this really sleeps ~1 ms
    return true;
  },
}));
