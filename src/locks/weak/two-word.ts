import type { LockAtomics, LockDesign } from '../contract.js';

// A two-word zspage lock, Dekker style: a reader count and a writer flag. A reader announces
// itself, then looks for a writer; a writer claims the flag, then looks for readers. It is the
// store-buffering shape (SB+fencembonceonces): each side needs a full barrier between its
// store and its load, or both may miss the other and enter together.
const READERS = 0;
const WRITER = 1;

/** The design with its barriers; `readerMb: false` drops the reader's smp_mb__after_atomic(). */
export function twoWord(name: string, readerMb: boolean): LockDesign {
  return {
    name,
    words: 2,
    callsIndependent: true,
    create(atomics: LockAtomics) {
      const fence = (o: 'seq_cst') => atomics.fence?.(o);
      return {
        init(mem, at) {
          atomics.store(mem, at + READERS, 0, 'relaxed'); // atomic_set(&zsl->readers, 0)
          atomics.store(mem, at + WRITER, 0, 'relaxed'); // WRITE_ONCE(zsl->writer, 0)
        },
        readLock(mem, at) {
          // its rounds keep nothing from one to the next: the explorer is told so (LockAtomics.loop)
          atomics.loop?.('enter');
          for (;;) {
            atomics.add(mem, at + READERS, 1, 'relaxed', 'unused'); // atomic_inc(&zsl->readers)
            if (readerMb) fence('seq_cst'); // smp_mb__after_atomic()
            if (atomics.load(mem, at + WRITER, 'acquire') === 0) break; // !smp_load_acquire(&zsl->writer)
            atomics.sub(mem, at + READERS, 1, 'relaxed', 'unused'); // atomic_dec(&zsl->readers): back off
            while (atomics.load(mem, at + WRITER, 'acquire') !== 0) {
              /* cpu_relax() */
            }
            atomics.loop?.('round');
          }
          atomics.loop?.('leave');
        },
        readUnlock(mem, at) {
          atomics.sub(mem, at + READERS, 1, 'release', 'unused'); // atomic_dec_return_release(&zsl->readers)
        },
        writeTrylock(mem, at) {
          // cmpxchg_acquire(&zsl->writer, 0, 1): one writer at a time
          if (atomics.compareExchange(mem, at + WRITER, 0, 1, 'acquire', 'relaxed') !== 0) return false;
          fence('seq_cst'); // smp_mb()
          if (atomics.load(mem, at + READERS, 'acquire') === 0) return true; // atomic_read_acquire(&zsl->readers)
          atomics.store(mem, at + WRITER, 0, 'release'); // smp_store_release(&zsl->writer, 0): readers inside
          return false;
        },
        writeUnlock(mem, at) {
          atomics.store(mem, at + WRITER, 0, 'release'); // smp_store_release(&zsl->writer, 0)
        },
      };
    },
  };
}
