// The roles on the kernel's pool, each a step the worker loop repeats: the zsmalloc user
// (zram) reading, writing and freeing objects, the MM core migrating pages, compaction,
// and the workqueue running zsmalloc's deferred free. Stable objects (slots below
// `stable`) are never freed, so a reader may pick any; each churner owns its own slots.
import { Rng } from '../rng.js';
import { STEP } from './flight.js';
import { KOBJ, KOBJ_WORDS, KPAGE_BYTES, KPAGE_DESC_BYTES, KPAGE_FREE_FLAG } from './layout.js';
import type { KernelPool } from './runtime.js';

export type KernelRole = 'reader' | 'churner' | 'compactor' | 'migrator';

/** Records a latency (ns) under the run's metric names (src/roles/metrics.ts). */
export type KernelTiming = (metric: 'reader-lock-wait' | 'reader-hold' | 'migrate-op' | 'compact-op', ns: number) => void;

export interface KernelRoleConfig {
  stable: number;
  /** Churners' slots: from `stable`, `churnEach` each. */
  churnEach: number;
  minSize: number;
  maxSize: number;
  /** A reader sleeps holding the object in this share of its reads (for `holdNs()`). */
  sleepFraction: number;
  /** Contention: this share of the reads picks among the first `hotObjects` objects (0: none). */
  hotObjects: number;
  hotFraction: number;
  /** The share of migrations aimed at a page holding a stable object (the rest: any page). */
  targetedMigrations: number;
}

export interface KernelCounters {
  /** Steps; a migrator's: pages handed to the migration core (each page of a cluster). */
  ops: number;
  bytesVerified: number;
  sleepingReads: number;
  migrated: number;
  migrateRefused: number;
  pagesCompacted: number;
  workRun: number;
  mallocFailed: number;
}

export const newKernelCounters = (): KernelCounters => ({
  ops: 0,
  bytesVerified: 0,
  sleepingReads: 0,
  migrated: 0,
  migrateRefused: 0,
  pagesCompacted: 0,
  workRun: 0,
  mallocFailed: 0,
});

/** zram_write_page(): stores slot `slot`'s next version (a new object when it has none). */
export function storeObject(pool: KernelPool, slot: number, len: number): boolean {
  const at = pool.L.objects + slot * KOBJ_WORDS;
  const err = pool.scratch + 2 * KPAGE_BYTES - 8;
  const buf = pool.scratch;
  let h = pool.mem[at + KOBJ.HANDLE]!;
  if (h === 0) {
    h = pool.x.zsh_malloc(len, err);
    if (h === 0) return false;
  } else {
    len = pool.mem[at + KOBJ.LEN]!;
  }
  const version = (pool.mem[at + KOBJ.VERSION]! + 1) | 0;
  pool.x.zsh_fill(buf, len, h ^ Math.imul(version, 0x9e3779b1));
  pool.x.zsh_write(h, buf, len);
  pool.mem[at + KOBJ.LEN] = len;
  pool.mem[at + KOBJ.VERSION] = version;
  pool.mem[at + KOBJ.HANDLE] = h;
  return true;
}

/**
 * zram_read_from_zspool(): object `slot`'s bytes checked after the map and, when `hold` is
 * given, again after it (a sleep with the object mapped); returns the bytes checked.
 */
export function readObject(
  pool: KernelPool,
  slot: number,
  hold: (() => void) | null,
  report: (message: string) => void,
  time: KernelTiming | null = null,
): number {
  const mem = pool.mem;
  const at = pool.L.objects + slot * KOBJ_WORDS;
  const h = mem[at + KOBJ.HANDLE]!;
  const len = mem[at + KOBJ.LEN]!;
  const seed = h ^ Math.imul(mem[at + KOBJ.VERSION]!, 0x9e3779b1);
  const t0 = time ? performance.now() : 0;
  const addr = pool.x.zsh_read_begin(h, len, pool.scratch);
  // a read lock annotated without lock_acquired() is held once the call returns
  pool.settle();
  const t1 = time ? performance.now() : 0;
  let bad = pool.x.zsh_check(addr, len, seed);
  if (bad < 0 && hold) {
    hold();
    bad = pool.x.zsh_check(addr, len, seed);
  }
  if (bad >= 0) report(`handle 0x${h.toString(16)}: byte ${bad} of ${len} is not what was written, while the object was mapped`);
  pool.x.zsh_read_end(h, len, addr);
  if (time) {
    time('reader-lock-wait', (t1 - t0) * 1e6);
    time('reader-hold', (performance.now() - t1) * 1e6);
  }
  return len;
}

/** The page object `slot` is on now, as compaction's pfn scanner would find it. */
export const pfnOfObject = (pool: KernelPool, slot: number) => pool.x.zsh_handle_pfn(pool.mem[pool.L.objects + slot * KOBJ_WORDS + KOBJ.HANDLE]!);

export function kernelRoleStep(
  role: KernelRole,
  pool: KernelPool,
  cfg: KernelRoleConfig,
  index: number,
  rng: Rng,
  counters: KernelCounters,
  report: (message: string) => void,
  holdNs: () => number,
  time: KernelTiming | null = null,
): () => void {
  const mem = pool.mem;
  const objAt = (slot: number) => pool.L.objects + slot * KOBJ_WORDS;
  // each step goes to the CPU's flight recorder as it begins
  const flight = pool.zspageLocks.flight;
  switch (role) {
    case 'reader':
      return () => {
        const hot = cfg.hotObjects > 0 && rng.float() < cfg.hotFraction;
        const slot = rng.below(hot ? Math.min(cfg.hotObjects, cfg.stable) : cfg.stable);
        const sleeps = cfg.sleepFraction > 0 && rng.float() < cfg.sleepFraction;
        const ns = sleeps ? holdNs() : 0;
        const hold = ns > 0 ? () => (flight.step(STEP.SLEEP, ns / 1e3), pool.sleepHolding(ns / 1e6), counters.sleepingReads++) : null;
        flight.step(STEP.READ, mem[objAt(slot) + KOBJ.HANDLE]!);
        counters.bytesVerified += readObject(pool, slot, hold, report, time);
      };
    case 'churner':
      return () => {
        const slot = cfg.stable + index * cfg.churnEach + rng.below(cfg.churnEach);
        const at = objAt(slot);
        const h = mem[at + KOBJ.HANDLE]!;
        if (h !== 0 && (rng.next() & 1) === 0) {
          flight.step(STEP.FREE, h);
          pool.x.zsh_free(h);
          mem[at + KOBJ.HANDLE] = 0;
          // schedule_work() queues on this CPU: its kworker runs the deferred free next
          flight.step(STEP.WORK, 0);
          counters.workRun += pool.x.zsh_run_work();
          return;
        }
        flight.step(STEP.WRITE, h);
        if (!storeObject(pool, slot, cfg.minSize + rng.below(cfg.maxSize - cfg.minSize + 1))) {
          counters.mallocFailed++;
        }
      };
    case 'compactor':
      return () => {
        const t0 = time ? performance.now() : 0;
        flight.step(STEP.COMPACT, 0);
        counters.pagesCompacted += pool.x.zsh_compact();
        time?.('compact-op', (performance.now() - t0) * 1e6);
        flight.step(STEP.WORK, 0);
        counters.workRun += pool.x.zsh_run_work();
      };
    case 'migrator':
      return migratorStep(pool, cfg, rng, counters, time);
  }
}

/** What zsh_migrate() says became of a page (zsh_migrate.h). */
const MIGRATED = 0;
const NOT_MOVABLE = 1;
const REFUSED = 4;
/** COMPACT_CLUSTER_MAX: the pages compaction isolates before it migrates them. */
export const CLUSTER_MAX = 32;

/** isolate_migratepages_block()'s look at frame i: not free (racy: the migration core checks it again). */
export const pageInUse = (pool: KernelPool, i: number) => (pool.mem[(pool.L.memMap + i * KPAGE_DESC_BYTES) >> 2]! & KPAGE_FREE_FLAG) === 0;

/** Compaction's cluster (zsh_migrate_cluster()): `pfns` (at most CLUSTER_MAX) isolated, then moved; what became of each. */
export function migrateCluster(pool: KernelPool, pfns: readonly number[]): number[] {
  const at = pool.scratch >> 2;
  pfns.forEach((pfn, i) => (pool.mem[at + i] = pfn));
  const results = pool.scratch + 4 * CLUSTER_MAX;
  pool.x.zsh_migrate_cluster(pool.scratch, pfns.length, results, results + 4 * CLUSTER_MAX);
  return Array.from(pool.mem.subarray(results >> 2, (results >> 2) + pfns.length));
}

/** The MM core's migrations (kcompactd, compaction's pfn scanner) of the pool's pages. */
function migratorStep(pool: KernelPool, cfg: KernelRoleConfig, rng: Rng, counters: KernelCounters, time: KernelTiming | null): () => void {
  const flight = pool.zspageLocks.flight;
  let cursor = rng.below(pool.L.pages);
  const tally = (r: number) => (r === MIGRATED ? counters.migrated++ : r === REFUSED ? counters.migrateRefused++ : 0);
  return () => {
    // a share of the picks: the page of a stable object (a hot one in the readers' share);
    // the rest: compaction's next cluster of pages in use (the pages of zspages being
    // filled, emptied, compacted or freed alike), isolated first and moved after
    const t0 = time ? performance.now() : 0;
    if (cfg.stable > 0 && rng.float() < cfg.targetedMigrations) {
      const hot = cfg.hotObjects > 0 && rng.float() < cfg.hotFraction;
      const pfn = pfnOfObject(pool, rng.below(hot ? Math.min(cfg.hotObjects, cfg.stable) : cfg.stable));
      flight.step(STEP.MIGRATE, pfn);
      const r = pool.x.zsh_migrate(pfn, pool.scratch);
      if (r !== NOT_MOVABLE) time?.('migrate-op', (performance.now() - t0) * 1e6);
      tally(r);
      return;
    }
    const pfns = [];
    for (let tries = 0; tries < pool.L.pages && pfns.length < CLUSTER_MAX; tries++, cursor = (cursor + 1) % pool.L.pages) {
      if (pageInUse(pool, cursor)) pfns.push(pool.L.frames / KPAGE_BYTES + cursor);
    }
    if (pfns.length > 0) flight.step(STEP.MIGRATE, pfns[0]!);
    const results = migrateCluster(pool, pfns);
    // one op a page handed to the migration core, as a targeted pick is (the worker counts
    // one a step, and takes its first step's count of 1 for "running")
    if (counters.ops > 0) counters.ops += Math.max(0, pfns.length - 1);
    const moved = results.filter((r) => r !== NOT_MOVABLE).length;
    if (moved > 0) time?.('migrate-op', ((performance.now() - t0) * 1e6) / moved);
    results.forEach(tally);
  };
}
