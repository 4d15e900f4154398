// Deliberately broken lock designs: each must make the stress harness (and, where it can see
// the bug, the explorer) fail. `expect` is the violation the stress run should report first.
import type { ExplorerRule, ViolationKind } from '../../invariants/kinds.js';
import type { LockDesign } from '../contract.js';
import checkThenAct from './check-then-act.js';
import forgottenUnlock from './forgotten-unlock.js';
import impatientTrylock from './impatient-trylock.js';
import readUnlockClobbers from './read-unlock-clobbers.js';
import readerIgnoresWriter from './reader-ignores-writer.js';
import readerNaps from './reader-naps.js';
import readerWaitsReaders from './reader-waits-readers.js';
import waitingTrylock from './waiting-trylock.js';
import writerIgnoresReaders from './writer-ignores-readers.js';
import writerSleeps from './writer-sleeps.js';
import writerUnlockClobbersReaders from './writer-unlock-clobbers-readers.js';

export interface BustedLock {
  design: LockDesign;
  expect: ViolationKind;
  /** Other kinds the same bug shows as, depending on the interleaving (e.g. a lost update
   *  that leaves the lock held for good is a stall, not an exclusion). */
  alsoSeen?: ViolationKind[];
  summary: string;
  /** The rule the explorer fails it with, or null when the explorer cannot see the bug. */
  explorerRule: ExplorerRule | null;
  /** Other rules the same bug may fail first, depending on the schedule. */
  explorerAlsoSeen?: ExplorerRule[];
}

const entries: BustedLock[] = [
  {
    design: readerIgnoresWriter,
    expect: 'exclusion',
    alsoSeen: ['integrity'],
    summary: 'readLock increments the reader count without checking for a writer',
    explorerRule: 'exclusion',
  },
  {
    design: writerIgnoresReaders,
    expect: 'exclusion',
    alsoSeen: ['integrity'],
    summary: 'writeTrylock only checks for another writer, never for readers',
    explorerRule: 'exclusion',
  },
  {
    design: checkThenAct,
    expect: 'exclusion',
    alsoSeen: ['stall', 'trylock-failed-free', 'audit', 'integrity'],
    summary: 'readLock and writeTrylock load, check, then plain-store (no CAS)',
    explorerRule: 'exclusion',
    // A lost reader count shows as a lock never released, or readers spinning on it.
    explorerAlsoSeen: ['not-released', 'livelock'],
  },
  {
    design: waitingTrylock,
    expect: 'writer-waited',
    summary: 'writeTrylock spins until the readers leave',
    explorerRule: 'trylock-waited',
  },
  {
    design: impatientTrylock,
    expect: 'writer-waited',
    summary: 'writeTrylock spins up to 50,000 times for the readers to leave, then gives up',
    explorerRule: 'trylock-waited',
  },
  {
    design: readerWaitsReaders,
    expect: 'reader-waited',
    summary: 'readLock waits for the other readers to leave (takes the count from 0 only)',
    explorerRule: 'reader-waited',
  },
  {
    design: writerSleeps,
    expect: 'slept-in-atomic',
    summary: 'the writer sleeps 1 ms (atomics.wait) holding the lock',
    explorerRule: 'sleeps',
  },
  {
    design: forgottenUnlock,
    expect: 'trylock-failed-free',
    // An audit finds the lock left held first when no writer tries that zspage before it.
    alsoSeen: ['audit'],
    // Explorer threads make a handful of calls, each on its own create(): the counter never
    // reaches 3000, so the bug never fires there.
    summary: 'readUnlock forgets the decrement every 3000th call (per ops table)',
    explorerRule: null,
  },
  {
    design: readUnlockClobbers,
    expect: 'exclusion',
    alsoSeen: ['stall', 'trylock-failed-free', 'audit', 'integrity'],
    summary: "readUnlock stores 0, wiping the other readers' counts",
    explorerRule: 'exclusion',
  },
  {
    design: writerUnlockClobbersReaders,
    expect: 'stall',
    alsoSeen: ['trylock-failed-free', 'audit'],
    summary: "writeUnlock stores 0, wiping a backing-off reader's +1: the word ends at -1, locked for good",
    explorerRule: 'livelock',
  },
  {
    design: readerNaps,
    expect: 'slept-in-atomic',
    summary: 'a reader that finds a writer sleeps 1 ms (atomics.wait) instead of spinning',
    explorerRule: 'sleeps',
  },
];

export const BUSTED_LOCKS: Record<string, BustedLock> = Object.fromEntries(entries.map((e) => [e.design.name, e]));
