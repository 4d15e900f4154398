// A zspage lock written as a lock module, the way a lock author would hand one to the harness:
// one int32 word, -1 write-locked, n > 0 held by n readers (the seed's atomic_t design).
//   npx zspage-stress check --lock examples/atomic-lock.mjs
export default {
  name: 'example-atomic-lock',
  words: 1,
  create(atomics) {
    return {
      init(mem, at) {
        atomics.store(mem, at, 0);
      },
      // Spins while a writer holds the lock (writers never sleep holding it).
      readLock(mem, at) {
        for (;;) {
          const old = atomics.load(mem, at);
          if (old >= 0 && atomics.compareExchange(mem, at, old, old + 1) === old) return;
        }
      },
      readUnlock(mem, at) {
        atomics.sub(mem, at, 1);
      },
      // One attempt: a writer never waits for a reader, who may be asleep holding the lock.
      writeTrylock(mem, at) {
        return atomics.compareExchange(mem, at, 0, -1) === 0;
      },
      writeUnlock(mem, at) {
        atomics.store(mem, at, 0);
      },
    };
  },
};
