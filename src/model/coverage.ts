// The interesting states of the zspage lock protocol, counted per worker as they happen
// (jcstress's outcome counts): a run that never reaches one cannot find its bugs.
export const COVERAGE_STATES = [
  'readerSpunOnWriter', // a reader came to a zspage a writer held, so it had to spin
  'trylockFailReaders', // a write trylock failed with readers inside
  'trylockFailWriter', // a write trylock failed with a writer inside
  'readerCasRetry', // a compareExchange inside readLock failed, so the reader retried
  'readersShared', // a reader got in with another reader inside
  'sleptAcrossTrylock', // a reader slept holding while a writer trylocked its zspage
  'writerOverlappedWaiter', // a write section ended with a reader waiting for it
  'lockZspageMetLockedPage', // lock_zspage() found a page locked and waited for it
] as const;
export type CoverageState = (typeof COVERAGE_STATES)[number];

export const COV = {
  READER_SPUN_ON_WRITER: 0,
  TRYLOCK_FAIL_READERS: 1,
  TRYLOCK_FAIL_WRITER: 2,
  READER_CAS_RETRY: 3,
  READERS_SHARED: 4,
  SLEPT_ACROSS_TRYLOCK: 5,
  WRITER_OVERLAPPED_WAITER: 6,
  LOCK_ZSPAGE_MET_LOCKED_PAGE: 7,
} as const;

/** Counts, then the Date.now() of each state's first hit (0: not yet). */
export const COVERAGE_WORDS = 2 * COVERAGE_STATES.length;

export const newCoverage = () => new Float64Array(COVERAGE_WORDS);

/** One more hit of state `i`; the first one is timed. */
export function hit(cov: Float64Array, i: number): void {
  if (cov[i]!++ === 0) cov[COVERAGE_STATES.length + i] = Date.now();
}
