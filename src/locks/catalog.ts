// The catalog: every built-in design with what stress runs, the explorer and the weak-memory
// explorer must find in it. Each family's entries sit beside its designs; this is the one map.
import { BUSTED_ENTRIES } from './busted/index.js';
import type { CatalogEntry, Family } from './catalog-entry.js';
import rwlock from './rwlock.js';
import rwsem from './rwsem.js';
import { WEAK_ENTRIES } from './weak/index.js';
import zspageAtomic from './zspage-atomic.js';
import zspageAtomicFixed from './zspage-atomic-fixed.js';
import zspageSpinlock from './zspage-spinlock.js';

const KERNEL_ENTRIES: CatalogEntry[] = [
  {
    family: 'kernel',
    design: zspageAtomic,
    summary: "the seed's atomic_t lock (v5), as posted: -1 write-locked, n readers",
    stress: { expect: 'exclusion', alsoSeen: ['integrity', 'stall', 'trylock-failed-free', 'audit'] },
    explorer: { expect: 'exclusion', alsoSeen: ['not-released', 'livelock'] },
    finding: {
      says:
        "BROKEN: in zspage_read_lock(), `continue` inside do { } while (!atomic_try_cmpxchg_acquire(lock, &old, old + 1)) " +
        'goes to the condition: a reader that still reads -1 after cpu_relax() swaps -1 for 0 and enters while the writer holds',
      schedule: 'WW/R@0,1,0x2,1x2',
    },
  },
  {
    family: 'kernel',
    design: zspageAtomicFixed,
    summary: "the seed's atomic_t lock with its read-lock loop corrected: a reader that reads -1 re-reads until the writer has left",
    stress: { expect: null },
    explorer: { expect: null },
  },
  {
    family: 'kernel',
    design: zspageSpinlock,
    summary: 'spinlock + count, as landed in Linux 6.15',
    stress: { expect: null },
    explorer: { expect: null },
  },
  {
    family: 'kernel',
    design: rwlock,
    summary: 'the old rwlock_t: writers spin until readers leave (correct only if readers never sleep)',
    stress: { expect: 'writer-waited' },
    explorer: { expect: 'trylock-waited' },
  },
  {
    family: 'kernel',
    design: rwsem,
    summary: 'a sleeping rw_semaphore: readers sleep while acquiring, under the pool lock',
    stress: { expect: 'slept-in-atomic' },
    explorer: { expect: 'sleeps' },
  },
];

export const CATALOG: Readonly<Record<string, CatalogEntry>> = Object.fromEntries(
  [...KERNEL_ENTRIES, ...BUSTED_ENTRIES, ...WEAK_ENTRIES].map((e) => [e.design.name, e]),
);

/** The catalog's entries of the given families, in catalog order. */
export function entriesOf(...families: Family[]): [string, CatalogEntry][] {
  return Object.entries(CATALOG).filter(([, e]) => families.includes(e.family));
}

/** What selftest, `list` and the benches call the built-ins: every family but weak, whose
 *  designs only the weak-memory explorer can judge. */
export const BUILTIN_NAMES: readonly string[] = entriesOf('kernel', 'busted').map(([name]) => name);
