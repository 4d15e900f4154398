import { seedLockWith } from './seed-with-bug.js';

/** Spins a trylock makes waiting for readers before it gives up (a few ms). */
export const PATIENCE_SPINS = 50_000;

// Bug: writeTrylock waits a little for the readers to leave before it gives up. It always
// returns soon, and usually true, yet it waits for readers that may sleep holding.
export default seedLockWith('busted-impatient-trylock', (atomics) => ({
  writeTrylock(mem, at) {
    for (let spins = 0; spins < PATIENCE_SPINS; spins++) {
      const v = atomics.load(mem, at);
      if (v === -1) return false;
      if (v === 0 && atomics.compareExchange(mem, at, 0, -1) === 0) return true;
      // BUG: readers inside: spin a while for them to leave
    }
    return false;
  },
}));
