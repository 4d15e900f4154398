import type { LockDesign } from './contract.js';

// The seed's design (v5 of the series, mm/zsmalloc.c as posted): one atomic_t,
// 0 = unlocked, -1 = write-locked, n > 0 = n readers. Ported statement by statement,
// control flow included: the loops below are the patch's loops, not a cleaned-up rewrite.
// Each primitive's ordering is passed as `order` for the weak-memory explorer.
// lockdep calls (rwsem_acquire_read & co.) compile away without CONFIG_DEBUG_LOCK_ALLOC.
const ZS_PAGE_UNLOCKED = 0;
const ZS_PAGE_WRLOCKED = -1;

const zspageAtomic: LockDesign = {
  name: 'zspage-atomic',
  words: 1,
  callsIndependent: true,
  create(atomics) {
    return {
      // zspage_lock_init(): atomic_set(&zspage->lock, ZS_PAGE_UNLOCKED)
      init(mem, lock) {
        atomics.store(mem, lock, ZS_PAGE_UNLOCKED, 'relaxed');
      },
      // zspage_read_lock()
      readLock(mem, lock) {
        let old = atomics.load(mem, lock, 'acquire'); // atomic_read_acquire(lock)
        do {
          if (old === ZS_PAGE_WRLOCKED) {
            /* cpu_relax() */
            old = atomics.load(mem, lock, 'acquire');
            continue; // as in C: on to the loop condition, the try_cmpxchg below
          }
          // atomic_try_cmpxchg_acquire(lock, &old, old + 1): true if it swapped; on failure
          // `old` becomes the value found (a failed cmpxchg orders nothing: 'relaxed').
        } while (old !== (old = atomics.compareExchange(mem, lock, old, old + 1, 'acquire', 'relaxed')));
      },
      // zspage_read_unlock(): atomic_dec_return_release(&zspage->lock)
      readUnlock(mem, lock) {
        atomics.sub(mem, lock, 1, 'release');
      },
      // zspage_try_write_lock(); its WARN_ON_ONCE(preemptible()) is the C port's
      // (examples/weak-memory, test/fixtures/c/seed-v5-posted.c): JS has no WARN.
      writeTrylock(mem, lock) {
        let old = ZS_PAGE_UNLOCKED;
        atomics.preempt?.(1); // preempt_disable()
        // As atomic_try_cmpxchg() does, the value found is written back to old (unread here).
        // eslint-disable-next-line no-useless-assignment
        if (old === (old = atomics.compareExchange(mem, lock, old, ZS_PAGE_WRLOCKED, 'acquire', 'relaxed'))) {
          return true;
        }
        atomics.preempt?.(-1); // preempt_enable()
        return false;
      },
      // zspage_write_unlock(): atomic_set_release(&zspage->lock, ZS_PAGE_UNLOCKED); preempt_enable()
      writeUnlock(mem, lock) {
        atomics.store(mem, lock, ZS_PAGE_UNLOCKED, 'release');
        atomics.preempt?.(-1);
      },
    };
  },
};

export default zspageAtomic;
