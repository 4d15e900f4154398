import { seedLockWith } from './seed-with-bug.js';

/** Every this many readUnlock calls (per create()), the decrement is skipped. */
export const FORGET_EVERY = 3000;

// Bug: readUnlock forgets the decrement once every FORGET_EVERY calls, leaving the lock read-held.
export default seedLockWith('busted-forgotten-unlock', (atomics) => {
  let unlocks = 0; // closure state: one counter per ops table (per worker)
  return {
    readUnlock(mem, at) {
      if (++unlocks % FORGET_EVERY === 0) return; // BUG: decrement forgotten
      atomics.sub(mem, at, 1);
    },
  };
});
