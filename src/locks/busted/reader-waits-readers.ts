import { seedLockWith } from './seed-with-bug.js';

// Bug: readLock waits for the other readers to leave (it only ever takes the count from 0
// to 1), so readers block readers: one asleep holding stalls every reader of its zspage,
// each spinning under the pool read lock.
export default seedLockWith('busted-reader-waits-readers', (atomics) => ({
  readLock(mem, at) {
    for (;;) {
      if (atomics.load(mem, at) === 0 && atomics.compareExchange(mem, at, 0, 1) === 0) return;
      // BUG: a count above 0 (readers inside) is waited out like a writer
    }
  },
}));
