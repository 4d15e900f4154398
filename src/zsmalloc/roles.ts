// The kernel pool's objects as zram keeps them (a slot: handle, length, version), stored
// and read whole; compaction's clusters of pages; what the kernel stress's roles are given
// and count. The role steps themselves are the model's (src/roles/), on the kernel pool's
// ops (src/pools/kernel-ops.ts). Stable objects (slots below `stable`) are never freed, so
// a reader may pick any; each churner owns its own slots.
import { KOBJ, KOBJ_WORDS, KPAGE_BYTES, KPAGE_DESC_BYTES, KPAGE_FREE_FLAG } from './layout.js';
import type { KernelPool } from './runtime.js';

export type KernelRole = 'reader' | 'churner' | 'compactor' | 'migrator';

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

/** The seed object `handle`'s bytes at `version` are filled from (zsh_fill(), zsh_check()). */
export const objectSeed = (handle: number, version: number) => handle ^ Math.imul(version, 0x9e3779b1);

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
  pool.x.zsh_fill(buf, len, objectSeed(h, version));
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
): number {
  const mem = pool.mem;
  const at = pool.L.objects + slot * KOBJ_WORDS;
  const h = mem[at + KOBJ.HANDLE]!;
  const len = mem[at + KOBJ.LEN]!;
  const seed = objectSeed(h, mem[at + KOBJ.VERSION]!);
  const addr = pool.x.zsh_read_begin(h, len, pool.scratch);
  // a read lock annotated without lock_acquired() is held once the call returns
  pool.settle();
  let bad = pool.x.zsh_check(addr, len, seed);
  if (bad < 0 && hold) {
    hold();
    bad = pool.x.zsh_check(addr, len, seed);
  }
  if (bad >= 0) report(`handle 0x${h.toString(16)}: byte ${bad} of ${len} is not what was written, while the object was mapped`);
  pool.x.zsh_read_end(h, len, addr);
  return len;
}

/** The page object `slot` is on now, as compaction's pfn scanner would find it. */
export const pfnOfObject = (pool: KernelPool, slot: number) => pool.x.zsh_handle_pfn(pool.mem[pool.L.objects + slot * KOBJ_WORDS + KOBJ.HANDLE]!);

/** What zsh_migrate() says became of a page (zsh_migrate.h). */
export const ZSH_MIGRATED = 0;
export const ZSH_REFUSED = 4;
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
