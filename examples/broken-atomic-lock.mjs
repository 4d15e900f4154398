// The same lock with a bug that is easy to write and rare to hit: a reader that loses the
// compare-and-exchange race goes on as if it held the lock. Run
//   npx zspage-stress check --lock examples/broken-atomic-lock.mjs
// to see it caught, with the interleaving that breaks it.
export default {
  name: 'example-broken-atomic-lock',
  words: 1,
  create(atomics) {
    return {
      init(mem, at) {
        atomics.store(mem, at, 0);
      },
      readLock(mem, at) {
        for (;;) {
          const old = atomics.load(mem, at);
          if (old < 0) continue; // a writer holds it: spin
          atomics.compareExchange(mem, at, old, old + 1);
          return; // BUG: goes on as if it held the lock, whether or not the exchange succeeded
        }
      },
      readUnlock(mem, at) {
        atomics.sub(mem, at, 1);
      },
      writeTrylock(mem, at) {
        return atomics.compareExchange(mem, at, 0, -1) === 0;
      },
      writeUnlock(mem, at) {
        atomics.store(mem, at, 0);
      },
    };
  },
};
