import type { LockDesign } from './contract.js';

// The seed's atomic_t lock (zspage-atomic) with its read-lock loop corrected. In the seed,
// `continue` inside `do { } while (!try_cmpxchg(...))` goes to the condition, so a reader
// that still sees -1 after cpu_relax() swaps -1 for 0 and enters beside the writer. Here a
// reader that sees -1 goes back to re-reading until the writer has left, and only then
// tries its cmpxchg. Everything else is the seed's, orderings included.
const ZS_PAGE_UNLOCKED = 0;
const ZS_PAGE_WRLOCKED = -1;

const zspageAtomicFixed: LockDesign = {
  name: 'zspage-atomic-fixed',
  words: 1,
  callsIndependent: true,
  create(atomics) {
    return {
      init(mem, lock) {
        atomics.store(mem, lock, ZS_PAGE_UNLOCKED, 'relaxed');
      },
      readLock(mem, lock) {
        // a round carries only what its last op read (old), and the cmpxchg that succeeds ends
        // the loop: the explorer is told so (LockAtomics.loop)
        atomics.loop?.('enter');
        let old = atomics.load(mem, lock, 'acquire');
        for (;;) {
          if (old === ZS_PAGE_WRLOCKED) {
            /* cpu_relax() */
            old = atomics.load(mem, lock, 'acquire');
            continue; // back to the check, never into the cmpxchg with old == -1
          }
          const found = atomics.compareExchange(mem, lock, old, old + 1, 'acquire', 'relaxed');
          if (found === old) break;
          old = found;
        }
        atomics.loop?.('leave');
      },
      readUnlock(mem, lock) {
        atomics.sub(mem, lock, 1, 'release');
      },
      // The seed's preempt_disable() holds preemption off for the write section.
      writeTrylock(mem, lock) {
        atomics.preempt?.(1);
        if (atomics.compareExchange(mem, lock, ZS_PAGE_UNLOCKED, ZS_PAGE_WRLOCKED, 'acquire', 'relaxed') === ZS_PAGE_UNLOCKED) return true;
        atomics.preempt?.(-1);
        return false;
      },
      writeUnlock(mem, lock) {
        atomics.store(mem, lock, ZS_PAGE_UNLOCKED, 'release');
        atomics.preempt?.(-1);
      },
    };
  },
};

export default zspageAtomicFixed;
