// Lock designs whose bugs only a weak memory model shows: each differs from a correct design
// by one ordering (or one barrier, or one plain access). Stress runs and `explore --memory sc`
// pass them all (JS Atomics are sequentially consistent): that is the blind spot they record.
// `explore --memory weak` must fail each with its `weak` rule and pass the correct ones.
import type { CatalogEntry } from '../catalog-entry.js';
import type { LockAtomics, LockDesign, LockOps } from '../contract.js';
import zspageAtomicFixed from '../zspage-atomic-fixed.js';
import zspageSpinlock from '../zspage-spinlock.js';
import { twoWord } from './two-word.js';

const ZS_PAGE_UNLOCKED = 0;
const ZS_PAGE_WRLOCKED = -1;

function fixedWith(name: string, bug: (atomics: LockAtomics) => Partial<LockOps>): LockDesign {
  return { name, words: 1, create: (atomics) => ({ ...zspageAtomicFixed.create(atomics), ...bug(atomics) }) };
}

export const WEAK_ENTRIES: CatalogEntry[] = [
  {
    family: 'weak',
    design: twoWord('zspage-two-word', true),
    summary: 'a reader count and a writer flag, each side with smp_mb() between its store and its load',
    stress: { expect: null },
    explorer: { expect: null },
    weak: null,
  },
  {
    family: 'weak',
    design: fixedWith('busted-relaxed-write-unlock', (atomics) => ({
      // BUG: atomic_set() where atomic_set_release() is needed: the writer's section is not released
      writeUnlock(mem, at) {
        atomics.store(mem, at, ZS_PAGE_UNLOCKED, 'relaxed');
      },
    })),
    summary: 'zspage-atomic-fixed with write_unlock by atomic_set() instead of atomic_set_release()',
    stress: { expect: null },
    explorer: { expect: null },
    weak: 'data-race',
  },
  {
    family: 'weak',
    design: fixedWith('busted-relaxed-read-lock', (atomics) => ({
      // BUG: atomic_try_cmpxchg_relaxed() in read_lock (the acquire pre-read is kept)
      readLock(mem, at) {
        let old = atomics.load(mem, at, 'acquire');
        for (;;) {
          if (old === ZS_PAGE_WRLOCKED) {
            old = atomics.load(mem, at, 'acquire');
            continue;
          }
          const found = atomics.compareExchange(mem, at, old, old + 1, 'relaxed', 'relaxed');
          if (found === old) return;
          old = found;
        }
      },
    })),
    summary: 'zspage-atomic-fixed with read_lock by atomic_try_cmpxchg_relaxed() instead of _acquire',
    stress: { expect: null },
    explorer: { expect: null },
    weak: 'data-race',
  },
  {
    family: 'weak',
    design: fixedWith('busted-void-dec-read-unlock', (atomics) => ({
      // BUG: atomic_dec() (void, unordered) instead of atomic_dec_return_release()
      readUnlock(mem, at) {
        atomics.sub(mem, at, 1, 'relaxed');
      },
    })),
    summary: 'zspage-atomic-fixed with read_unlock by atomic_dec() instead of atomic_dec_return_release()',
    stress: { expect: null },
    explorer: { expect: null },
    weak: 'data-race',
  },
  {
    family: 'weak',
    design: fixedWith('busted-relaxed-trylock', (atomics) => ({
      // BUG: atomic_try_cmpxchg_relaxed() in write_trylock
      writeTrylock(mem, at) {
        return atomics.compareExchange(mem, at, ZS_PAGE_UNLOCKED, ZS_PAGE_WRLOCKED, 'relaxed', 'relaxed') === ZS_PAGE_UNLOCKED;
      },
    })),
    summary: 'zspage-atomic-fixed with write_trylock by a relaxed cmpxchg instead of _acquire',
    stress: { expect: null },
    explorer: { expect: null },
    weak: 'data-race',
  },
  {
    family: 'weak',
    design: twoWord('busted-two-word-no-mb', false),
    summary: "zspage-two-word without the reader's smp_mb__after_atomic() (atomic_inc() orders nothing)",
    stress: { expect: null },
    explorer: { expect: null },
    weak: 'exclusion',
  },
  {
    family: 'weak',
    design: {
      name: 'busted-spinlock-plain-fast-path',
      words: 2,
      create(atomics) {
        const ops = zspageSpinlock.create(atomics);
        return {
          ...ops,
          // BUG: a lock-free fast path: a plain read of zsl->cnt outside the spinlock
          writeTrylock(mem, at) {
            const cnt = atomics.plainLoad ? atomics.plainLoad(mem, at + 1) : mem[at + 1]!;
            if (cnt !== ZS_PAGE_UNLOCKED) return false;
            return ops.writeTrylock(mem, at);
          },
        };
      },
    },
    summary: 'zspage-spinlock whose write_trylock first reads zsl->cnt plainly, outside the spinlock',
    stress: { expect: null },
    explorer: { expect: null },
    weak: 'data-race',
  },
];
