import type { LockDesign } from '../contract.js';

// Bug: readLock bumps the reader count without looking at the writer flag.
// Word 0: writer flag (1 = write-locked), word 1: reader count.
const W = 0;
const R = 1;

const design: LockDesign = {
  name: 'busted-reader-ignores-writer',
  words: 2,
  create(atomics) {
    return {
      init(mem, at) {
        atomics.store(mem, at + W, 0);
        atomics.store(mem, at + R, 0);
      },
      readLock(mem, at) {
        atomics.add(mem, at + R, 1); // BUG: no check of (or wait for) the writer flag
      },
      readUnlock(mem, at) {
        atomics.sub(mem, at + R, 1);
      },
      // Dekker-style: set the flag, then back off if a reader is in.
      writeTrylock(mem, at) {
        if (atomics.compareExchange(mem, at + W, 0, 1) !== 0) return false;
        if (atomics.load(mem, at + R) === 0) return true;
        atomics.store(mem, at + W, 0);
        return false;
      },
      writeUnlock(mem, at) {
        atomics.store(mem, at + W, 0);
      },
    };
  },
};

export default design;
