// zs_page_migrate(): move one page of a zspage to a new page frame.
import { CLS, PG, ZSP } from '../arena/layout.js';
import { poolWriteLock, poolWriteUnlock, spinLock, spinUnlock } from './kernel-locks.js';
import { SITE } from './lock-sites.js';
import { migrateTrylockErrno } from './kernel-version.js';
import { objAllocatedHandle } from './object.js';
import { zspageWriteTrylock, zspageWriteUnlock } from './zspage-lock.js';
import { clsAt, frameAt, locationToObj, pageOwner, pgAt, recordObj, zspAt, type Zs } from './zs.js';

export const MIGRATE_OK = 0;
/** The page is not a movable zsmalloc page (any more): isolate_movable_page() would not have taken it. */
export const MIGRATE_AGAIN = -11;

/**
 * The caller holds the page lock of `pfn` (lock order: page -> pool -> class -> zspage)
 * and owns `newPfn`. On MIGRATE_OK the old page is no longer part of the zspage.
 */
export function zsPageMigrate(zs: Zs, pfn: number, newPfn: number): number {
  const { mem, cpu, pageSize } = zs;
  // The pool write lock protects the race between migration and zs_free().
  poolWriteLock(cpu, mem, zs.L.pool, SITE.zs_page_migrate);
  // The page is locked, so its zspage cannot be freed under us (free_zspage() trylocks
  // every page). Like zs_page_isolate(), no check of the zspage's state: a zspage that
  // async_free_zspage() took off its list moves too, the race lock_zspage() handles.
  const z = pageOwner(zs, pfn);
  if (z < 0) {
    poolWriteUnlock(cpu, mem, zs.L.pool, SITE.zs_page_migrate);
    return MIGRATE_AGAIN;
  }
  const c = mem[zspAt(zs, z, ZSP.CLASS)]!;
  const classLock = clsAt(zs, c, CLS.LOCK);
  spinLock(cpu, mem, classLock, SITE.zs_page_migrate);
  // The zspage write lock protects object access through zs_obj_read_begin().
  if (!zspageWriteTrylock(zs, z, SITE.zs_page_migrate)) {
    spinUnlock(cpu, mem, classLock, SITE.zs_page_migrate);
    poolWriteUnlock(cpu, mem, zs.L.pool, SITE.zs_page_migrate);
    return migrateTrylockErrno(zs.kernel);
  }
  // Only now is the new page marked as a zsmalloc page (a review outcome).
  const from = frameAt(zs, pfn);
  mem.copyWithin(frameAt(zs, newPfn), from, from + zs.pageWords);
  let slot = 0;
  while (mem[zspAt(zs, z, ZSP.PAGES + slot)] !== pfn) slot++;
  const size = mem[clsAt(zs, c, CLS.SIZE)]!;
  const first = mem[pgAt(zs, pfn, PG.FIRST_OBJ_OFFSET)]!;
  // Rewrite the handle of every allocated object that starts in this page (the
  // last page's tail, past the last object, holds no object).
  const objs = mem[clsAt(zs, c, CLS.OBJS_PER_ZSPAGE)]!;
  let idx = (slot * pageSize + first) / size;
  for (let off = first; off < pageSize && idx < objs; off += size, idx++) {
    const h = objAllocatedHandle(zs, z, c, idx);
    if (h >= 0) recordObj(zs, h, locationToObj(zs, newPfn, idx));
  }
  // replace_sub_page()
  mem[pgAt(zs, newPfn, PG.FIRST_OBJ_OFFSET)] = first;
  mem[pgAt(zs, newPfn, PG.HANDLE)] = mem[pgAt(zs, pfn, PG.HANDLE)]!;
  mem[pgAt(zs, newPfn, PG.OWNER)] = z;
  mem[zspAt(zs, z, ZSP.PAGES + slot)] = newPfn;
  mem[pgAt(zs, pfn, PG.OWNER)] = -1;
  mem[pgAt(zs, pfn, PG.HANDLE)] = -1;
  poolWriteUnlock(cpu, mem, zs.L.pool, SITE.zs_page_migrate);
  spinUnlock(cpu, mem, classLock, SITE.zs_page_migrate);
  zspageWriteUnlock(zs, z, SITE.zs_page_migrate);
  return MIGRATE_OK;
}
