// Per-worker counters (Float64, in the worker's own arena lines, written only by it).
export const COUNTER = {
  OPS: 0,
  TRYLOCK_OK: 1,
  TRYLOCK_FAIL: 2,
  OBJECTS_MOVED: 3,
  BYTES_VERIFIED: 4,
  SLEEPING_READS: 5,
  SKIPPED: 6, // migrations of pages that were not movable, or no free page
  ZSPAGES_FREED: 7,
  MALLOCS: 8,
  MALLOC_FAILED: 9,
  FREES: 10,
  WRITES: 11,
  VIOLATIONS_DROPPED: 12, // reports beyond the per-worker message cap
  MIGRATED: 13, // pages a migrator moved
  MIGRATE_REFUSED: 14, // migrations zs_page_migrate() refused (its zspage write trylock failed)
  STARTED_AT: 15, // Date.now() when the role loop began
  COVERAGE: 16, // COVERAGE_WORDS from here: the protocol states reached (model/coverage)
} as const;

export const COUNTER_NAMES: Record<number, string> = {
  [COUNTER.OPS]: 'ops',
  [COUNTER.TRYLOCK_OK]: 'trylockOk',
  [COUNTER.TRYLOCK_FAIL]: 'trylockFail',
  [COUNTER.OBJECTS_MOVED]: 'objectsMoved',
  [COUNTER.BYTES_VERIFIED]: 'bytesVerified',
  [COUNTER.SLEEPING_READS]: 'sleepingReads',
  [COUNTER.SKIPPED]: 'skipped',
  [COUNTER.ZSPAGES_FREED]: 'zspagesFreed',
  [COUNTER.MALLOCS]: 'mallocs',
  [COUNTER.MALLOC_FAILED]: 'mallocFailed',
  [COUNTER.FREES]: 'frees',
  [COUNTER.WRITES]: 'writes',
};
