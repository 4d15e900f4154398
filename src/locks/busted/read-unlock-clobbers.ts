import { seedLockWith } from './seed-with-bug.js';

// Bug: readUnlock stores 0 (as writeUnlock does), wiping the other readers' counts.
export default seedLockWith('busted-read-unlock-clobbers', (atomics) => ({
  readUnlock(mem, at) {
    atomics.store(mem, at, 0); // BUG: should be sub(1): other readers may still be inside
  },
}));
