import type { LockDesign } from '../contract.js';

// Bug: readers add 1 optimistically and back off while a writer holds; writeUnlock stores 0,
// wiping a backing-off reader's +1, whose later -1 leaves the word at -1: locked for good.
const WRITER = 1 << 30;

const design: LockDesign = {
  name: 'busted-writer-unlock-clobbers-readers',
  words: 1,
  create(atomics) {
    return {
      init(mem, at) {
        atomics.store(mem, at, 0);
      },
      readLock(mem, at) {
        for (;;) {
          if ((atomics.add(mem, at, 1) & WRITER) === 0) return;
          atomics.sub(mem, at, 1); // back off
          while ((atomics.load(mem, at) & WRITER) !== 0) {
            /* spin: writers never sleep */
          }
        }
      },
      readUnlock(mem, at) {
        atomics.sub(mem, at, 1);
      },
      writeTrylock(mem, at) {
        return atomics.compareExchange(mem, at, 0, WRITER) === 0;
      },
      writeUnlock(mem, at) {
        atomics.store(mem, at, 0); // BUG: should clear only the writer bit (sub WRITER)
      },
    };
  },
};

export default design;
