import type { LockDesign } from '../contract.js';

// Bug: writeTrylock only checks for another writer, never for readers.
// Word 0: writer flag (1 = write-locked), word 1: reader count.
const W = 0;
const R = 1;

const design: LockDesign = {
  name: 'busted-writer-ignores-readers',
  words: 2,
  create(atomics) {
    return {
      init(mem, at) {
        atomics.store(mem, at + W, 0);
        atomics.store(mem, at + R, 0);
      },
      // Announce, then re-check the writer flag (correct reader side).
      readLock(mem, at) {
        for (;;) {
          while (atomics.load(mem, at + W) !== 0) {
            /* spin: writers never sleep */
          }
          atomics.add(mem, at + R, 1);
          if (atomics.load(mem, at + W) === 0) return;
          atomics.sub(mem, at + R, 1);
        }
      },
      readUnlock(mem, at) {
        atomics.sub(mem, at + R, 1);
      },
      writeTrylock(mem, at) {
        return atomics.compareExchange(mem, at + W, 0, 1) === 0; // BUG: readers (word 1) never checked
      },
      writeUnlock(mem, at) {
        atomics.store(mem, at + W, 0);
      },
    };
  },
};

export default design;
