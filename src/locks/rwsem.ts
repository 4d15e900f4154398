import type { LockDesign } from './contract.js';

// A sleeping rw_semaphore: down_read() sleeps (futex wait) while a writer holds it,
// down_write_trylock() never waits. Wrong for the zspage lock, whose read side is
// taken under the pool read lock, where sleeping is not allowed.
const COUNT = 0; // -1 write-locked, n readers
const SLEEPERS = 1;
const WRITE_LOCKED = -1;

const rwsem: LockDesign = {
  name: 'rwsem',
  words: 2,
  create(atomics) {
    return {
      // init_rwsem()
      init(mem, at) {
        atomics.store(mem, at + COUNT, 0);
        atomics.store(mem, at + SLEEPERS, 0);
      },
      // down_read(): fast path CAS, slow path sleeps until the writer leaves.
      readLock(mem, at) {
        for (;;) {
          const c = atomics.load(mem, at + COUNT);
          if (c === WRITE_LOCKED) {
            atomics.add(mem, at + SLEEPERS, 1);
            atomics.wait(mem, at + COUNT, WRITE_LOCKED);
            atomics.sub(mem, at + SLEEPERS, 1);
            continue;
          }
          if (atomics.compareExchange(mem, at + COUNT, c, c + 1) === c) return;
        }
      },
      // up_read()
      readUnlock(mem, at) {
        atomics.sub(mem, at + COUNT, 1);
      },
      // down_write_trylock()
      writeTrylock(mem, at) {
        return atomics.compareExchange(mem, at + COUNT, 0, WRITE_LOCKED) === 0;
      },
      // up_write(): wake the sleeping readers
      writeUnlock(mem, at) {
        atomics.store(mem, at + COUNT, 0);
        if (atomics.load(mem, at + SLEEPERS) > 0) atomics.notify(mem, at + COUNT);
      },
    };
  },
};

export default rwsem;
