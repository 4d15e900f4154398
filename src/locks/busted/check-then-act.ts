import type { LockDesign } from '../contract.js';

// Bug: load, check, then a plain store (no CAS): two threads can both pass the check.
// One word as zspage-atomic: 0 unlocked, -1 write-locked, n > 0 readers.
const design: LockDesign = {
  name: 'busted-check-then-act',
  words: 1,
  create(atomics) {
    return {
      init(mem, at) {
        atomics.store(mem, at, 0);
      },
      readLock(mem, at) {
        let old = atomics.load(mem, at);
        while (old === -1) old = atomics.load(mem, at);
        atomics.store(mem, at, old + 1); // BUG: the word may have changed since the load
      },
      readUnlock(mem, at) {
        atomics.sub(mem, at, 1);
      },
      writeTrylock(mem, at) {
        if (atomics.load(mem, at) !== 0) return false;
        atomics.store(mem, at, -1); // BUG: a reader or writer may have got in since the load
        return true;
      },
      writeUnlock(mem, at) {
        atomics.store(mem, at, 0);
      },
    };
  },
};

export default design;
