// The roles on the kernel's pool, each a step the worker loop repeats: the zsmalloc user
// (zram) reading, writing and freeing objects, the MM core migrating pages, compaction,
// and the workqueue running zsmalloc's deferred free. Stable objects (slots below
// `stable`) are never freed, so a reader may pick any; each churner owns its own slots.
import { Rng } from '../rng.js';
import { KOBJ, KOBJ_WORDS, KPAGE_BYTES } from './layout.js';
import type { KernelPool } from './runtime.js';

export type KernelRole = 'reader' | 'churner' | 'compactor' | 'migrator';

export interface KernelRoleConfig {
  stable: number;
  /** Churners' slots: from `stable`, `churnEach` each. */
  churnEach: number;
  minSize: number;
  maxSize: number;
  /** A reader sleeps `holdMs` holding the object, in this share of its reads. */
  holdMs: number;
  sleepFraction: number;
}

export interface KernelCounters {
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

export function kernelRoleStep(
  role: KernelRole,
  pool: KernelPool,
  cfg: KernelRoleConfig,
  index: number,
  rng: Rng,
  counters: KernelCounters,
  report: (message: string) => void,
): () => void {
  const mem = pool.mem;
  const objAt = (slot: number) => pool.L.objects + slot * KOBJ_WORDS;
  switch (role) {
    case 'reader':
      return () => {
        // zram_read_from_zspool(): the object's bytes, checked after the map and after a hold
        const at = objAt(rng.below(cfg.stable));
        const h = mem[at + KOBJ.HANDLE]!;
        const len = mem[at + KOBJ.LEN]!;
        const seed = h ^ Math.imul(mem[at + KOBJ.VERSION]!, 0x9e3779b1);
        const addr = pool.x.zsh_read_begin(h, len, pool.scratch);
        pool.settle();
        let bad = pool.x.zsh_check(addr, len, seed);
        if (bad < 0 && cfg.holdMs > 0 && rng.float() < cfg.sleepFraction) {
          pool.sleepHolding(cfg.holdMs);
          counters.sleepingReads++;
          bad = pool.x.zsh_check(addr, len, seed);
        }
        if (bad >= 0) report(`handle 0x${h.toString(16)}: byte ${bad} of ${len} is not what was written, while the object was mapped`);
        counters.bytesVerified += len;
        pool.x.zsh_read_end(h, len, addr);
      };
    case 'churner':
      return () => {
        const slot = cfg.stable + index * cfg.churnEach + rng.below(cfg.churnEach);
        const at = objAt(slot);
        const h = mem[at + KOBJ.HANDLE]!;
        if (h !== 0 && (rng.next() & 1) === 0) {
          pool.x.zsh_free(h);
          mem[at + KOBJ.HANDLE] = 0;
        } else if (!storeObject(pool, slot, cfg.minSize + rng.below(cfg.maxSize - cfg.minSize + 1))) {
          counters.mallocFailed++;
        }
      };
    case 'compactor':
      return () => {
        counters.pagesCompacted += pool.x.zsh_compact();
        counters.workRun += pool.x.zsh_run_work();
      };
    case 'migrator':
      return () => {
        const base = pool.L.frames / KPAGE_BYTES;
        const r = pool.x.zsh_migrate(base + rng.below(pool.L.pages), pool.scratch);
        if (r === 0) counters.migrated++;
        else if (r === 4) counters.migrateRefused++;
      };
  }
}
