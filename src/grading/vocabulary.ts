// The words the checks and the catalog share: violation kinds, explorer rules, verdicts.
// It imports nothing, so a lock design and the checks that judge it can both use it.
//
// The violation kinds the stress harness reports, most specific first in the docs below.
//   exclusion       a writer inside with anybody else inside
//   integrity       the data a lock protects was seen torn or changed under a reader
//   writer-waited   a writeTrylock spun alone while readers held the lock (it waits for readers)
//   reader-waited   a readLock spun alone while only readers held the lock (readers wait only for writers)
//   slept-in-atomic atomics.wait by a writer (acquiring/holding) or by a reader while acquiring
//   stall           a worker made no progress (e.g. a lock left held, readers spin forever)
//   trylock-failed-free a writeTrylock failed while nobody held the zspage and no other lock
//                   operation was in progress on it (a lock left held: an unlock that did not release)
//   audit           at a quiescent point a lock is not free (a write trylock fails, nobody running)
//   warn            a WARN_ON/BUG_ON in the lock's own code fired (C locks)
//   lock-order      lockdep: a cycle in the lock order, a sleep holding a spinning lock, a release of a lock not held
//   memory-safety   KASAN (the kernel's own zsmalloc.c): a freed page or slab object used, a handle that no longer decodes
export const VIOLATION_KINDS = [
  'exclusion',
  'integrity',
  'writer-waited',
  'reader-waited',
  'slept-in-atomic',
  'stall',
  'trylock-failed-free',
  'audit',
  'lock-order',
  'memory-safety',
  'warn',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

// The rules the explorer checks on deterministic interleavings of the lock protocol;
// data-race only in weak-memory mode (a section's plain accesses not ordered by the lock).
export const EXPLORER_RULES = ['exclusion', 'trylock-waited', 'reader-waited', 'not-released', 'sleeps', 'livelock', 'data-race', 'warn'] as const;
export type ExplorerRule = (typeof EXPLORER_RULES)[number];

/**
 * A run's verdict. pass: the run completed its duration, every worker returned and the
 * final audit found nothing. fail: a violation. error: a harness or worker fault.
 * interrupted: a signal stopped the run before its end (never a pass).
 */
export type Verdict = 'pass' | 'fail' | 'error' | 'interrupted';

/** Why a run ended: its duration, a violation (a stall included), a harness error or a signal. */
export type Ending = 'completed' | 'violation' | 'harness-error' | 'interrupted';

/** A check's verdict (its parts' worst). */
export type CheckVerdict = 'pass' | 'fail' | 'harness-error' | 'interrupted';

/** What a design is expected to show: the kind (or rule) found first, null for one that must pass. */
export interface Expectation<K extends string> {
  expect: K | null;
  /** Other kinds the same bug may show as first, depending on the interleaving. */
  alsoSeen?: K[];
}
