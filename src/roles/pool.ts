// The pool a role drives, as one table of operations (locktorture's struct lock_torture_ops):
// the roles (reader.ts, churner.ts, compactor.ts, migrator.ts) and their loop (loop.ts) decide
// what to do and when, count it and time it; a pool (src/pools/: our model, the kernel's own
// zsmalloc.c) says how, and checks what only it can see. A role never asks which pool it drives.
import type { Rng } from '../rng.js';
import type { Distribution } from '../scenario/schema.js';
import type { Metrics } from './metrics.js';
import type { RoleName, WorkerMessage } from './task.js';

/** What became of a page a migrator picked (PoolOps.migrate). */
export const MIGRATE = {
  MOVED: 0,
  /** Nothing was tried: no page in use picked, the page not movable (any more), no page to move it to, its lock held. */
  SKIPPED: 1,
  /** zs_page_migrate() refused the page (-EAGAIN/-EBUSY). */
  REFUSED: 2,
} as const;

/** A pool's operations, one object per worker (the hot calls see a single class). */
export interface PoolOps {
  // Reader: zs_obj_read_begin() ... zs_obj_read_end() on one stable object at a time.
  /** Maps object `slot` for reading; `timed`: this read is timed (no race noise in it). */
  readBegin(slot: number, timed: boolean): void;
  /** Checks the mapped object's bytes: how many checked out, or -1 when they did not (reported, `when` in the message). */
  verify(when: string): number;
  /** Sleeps `ns` with the object mapped (zram's sleeping reader), the sleep's own checks included. */
  sleepHolding(ns: number): void;
  /** Unmaps the object, after checking it did not move under the mapping. */
  readEnd(): void;

  // Churner: zs_malloc() + zs_obj_write(), zs_obj_write(), zs_free() on its own slots.
  /** Object `slot` is stored. */
  has(slot: number): boolean;
  /** Stores a new object of `len` bytes in empty `slot`; false: the pool had no room. */
  store(slot: number, len: number): boolean;
  /** Writes the next version of stored object `slot`. */
  rewrite(slot: number): void;
  free(slot: number): void;

  /** Deferred free (async_free_zspage()) found pending as a step begins, run by whoever comes by. */
  kickDeferredWork(): void;
  /** Compactor: the deferred free work, run unconditionally. */
  runDeferredWork(): void;
  /** zs_compact(): one pass; false when another compaction was under way (nothing done). */
  compact(): boolean;

  // Migrator: the page picks (migrator.ts) and the MM core's migration.
  /** The page object `slot` is on now, or -1. */
  pageOf(slot: number): number;
  /** A page of the zspage compaction frees next, or -1. */
  sparsePage(rng: Rng): number;
  /**
   * Migrates page `pfn`, or (-1) pages in use of the pool's choosing: one, or a cluster as
   * compaction isolates them. Adds what became of each page handed to the migration core
   * to `outcomes` (by MIGRATE outcome); a pick that came to nothing is one SKIPPED.
   */
  migrate(pfn: number, rng: Rng, outcomes: Int32Array): void;

  /** The worker's state, as its loop moves between steps (held-state.ts STATE: parked, idle, done). */
  setState(state: number): void;
}

/** What a role does, in the scenario's terms, whatever the pool. */
export interface RolePlan {
  role: RoleName;
  roleIndex: number;
  workerIndex: number;
  seed: number;
  /** Objects [0, stable) are the readers'; churner i owns [churnFirst + i*churnEach, +churnEach). */
  stable: number;
  churnFirst: number;
  churnEach: number;
  minSize: number;
  maxSize: number;
  /** Readers: the hot set and its share, the share of reads that sleep holding and for how long, one read in timingSample timed. */
  hotObjects: number;
  hotFraction: number;
  sleepFraction: number;
  hold: Distribution;
  timingSample: number;
  /** Migrators: the share of picks aimed at the zspage compaction frees next. */
  sparseFraction: number;
  /** Between two steps (readers: none). */
  pause: Distribution;
}

/** A role's worker: its plan, random stream, histograms, counters (roles/counters.ts) and the run's words. */
export interface RoleEnv {
  plan: RolePlan;
  rng: Rng;
  metrics: Metrics;
  counters: Float64Array;
  /** The run's header words (arena/layout.ts HDR: stop, pause, epoch, parked). */
  mem: Int32Array;
  /** A word the loop bumps every step, for the coordinator's stall watch. */
  progress: Int32Array;
  progressAt: number;
  /** Sends the interval histograms (the loop's only message). */
  post(message: Extract<WorkerMessage, { type: 'interval' }>): void;
}
