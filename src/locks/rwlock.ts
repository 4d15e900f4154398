import type { LockDesign } from './contract.js';

// The old rwlock_t (migrate_read_lock/migrate_write_lock before the series), as a
// queued rwlock: a waiting writer blocks new readers, then spins until readers leave.
// Correct only while readers never sleep holding it: its "trylock" is write_lock().
const WRITER_LOCKED = 1 << 30;
const WRITER_WAITING = 1 << 29;
const READERS = WRITER_WAITING - 1;

const rwlock: LockDesign = {
  name: 'rwlock',
  words: 1,
  create(atomics) {
    return {
      // rwlock_init()
      init(mem, at) {
        atomics.store(mem, at, 0);
      },
      // read_lock()
      readLock(mem, at) {
        for (;;) {
          const w = atomics.load(mem, at);
          if ((w & (WRITER_LOCKED | WRITER_WAITING)) !== 0) continue;
          if (atomics.compareExchange(mem, at, w, w + 1) === w) return;
        }
      },
      // read_unlock()
      readUnlock(mem, at) {
        atomics.sub(mem, at, 1);
      },
      // write_lock(): announce, then spin until the readers have left.
      writeTrylock(mem, at) {
        for (;;) {
          const w = atomics.load(mem, at);
          if ((w & WRITER_LOCKED) !== 0) continue;
          if ((w & READERS) === 0) {
            if (atomics.compareExchange(mem, at, w, WRITER_LOCKED) === w) return true;
          } else if ((w & WRITER_WAITING) === 0) {
            atomics.compareExchange(mem, at, w, w | WRITER_WAITING);
          }
        }
      },
      // write_unlock(): waiting writers set their flag again
      writeUnlock(mem, at) {
        atomics.and(mem, at, ~WRITER_LOCKED);
      },
    };
  },
};

export default rwlock;
