// Deliberately broken lock designs: each must make the stress harness (and, where it can see
// the bug, the explorer) fail. `stress.expect` is the violation the stress run should report first.
import type { CatalogEntry } from '../catalog-entry.js';
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

export const BUSTED_ENTRIES: CatalogEntry[] = [
  {
    family: 'busted',
    design: readerIgnoresWriter,
    summary: 'readLock increments the reader count without checking for a writer',
    stress: { expect: 'exclusion', alsoSeen: ['integrity'] },
    explorer: { expect: 'exclusion' },
  },
  {
    family: 'busted',
    design: writerIgnoresReaders,
    summary: 'writeTrylock only checks for another writer, never for readers',
    stress: { expect: 'exclusion', alsoSeen: ['integrity'] },
    explorer: { expect: 'exclusion' },
  },
  {
    family: 'busted',
    design: checkThenAct,
    summary: 'readLock and writeTrylock load, check, then plain-store (no CAS)',
    stress: { expect: 'exclusion', alsoSeen: ['stall', 'trylock-failed-free', 'audit', 'integrity'] },
    // A lost reader count shows as a lock never released, or readers spinning on it.
    explorer: { expect: 'exclusion', alsoSeen: ['not-released', 'livelock'] },
  },
  {
    family: 'busted',
    design: waitingTrylock,
    summary: 'writeTrylock spins until the readers leave',
    stress: { expect: 'writer-waited' },
    explorer: { expect: 'trylock-waited' },
  },
  {
    family: 'busted',
    design: impatientTrylock,
    summary: 'writeTrylock spins up to 50,000 times for the readers to leave, then gives up',
    stress: { expect: 'writer-waited' },
    explorer: { expect: 'trylock-waited' },
  },
  {
    family: 'busted',
    design: readerWaitsReaders,
    summary: 'readLock waits for the other readers to leave (takes the count from 0 only)',
    stress: { expect: 'reader-waited' },
    explorer: { expect: 'reader-waited' },
  },
  {
    family: 'busted',
    design: writerSleeps,
    summary: 'the writer sleeps 1 ms (atomics.wait) holding the lock',
    stress: { expect: 'slept-in-atomic' },
    explorer: { expect: 'sleeps' },
  },
  {
    family: 'busted',
    design: forgottenUnlock,
    summary: 'readUnlock forgets the decrement every 3000th call (per ops table)',
    // An audit finds the lock left held first when no writer tries that zspage before it.
    stress: { expect: 'trylock-failed-free', alsoSeen: ['audit'] },
    // Explorer threads make a handful of calls, each on its own create(): the counter never
    // reaches 3000, so the bug never fires there.
    explorer: { expect: null },
  },
  {
    family: 'busted',
    design: readUnlockClobbers,
    summary: "readUnlock stores 0, wiping the other readers' counts",
    stress: { expect: 'exclusion', alsoSeen: ['stall', 'trylock-failed-free', 'audit', 'integrity'] },
    explorer: { expect: 'exclusion' },
  },
  {
    family: 'busted',
    design: writerUnlockClobbersReaders,
    summary: "writeUnlock stores 0, wiping a backing-off reader's +1: the word ends at -1, locked for good",
    stress: { expect: 'stall', alsoSeen: ['trylock-failed-free', 'audit'] },
    explorer: { expect: 'livelock' },
  },
  {
    family: 'busted',
    design: readerNaps,
    summary: 'a reader that finds a writer sleeps 1 ms (atomics.wait) instead of spinning',
    stress: { expect: 'slept-in-atomic' },
    explorer: { expect: 'sleeps' },
  },
];
