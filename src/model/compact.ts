// __zs_compact(): move objects of the sparsest zspages of a class into the densest,
// write-trylocking only the source, and free the emptied sources.
import { CLS, ZSP } from '../arena/layout.js';
import { freeZspage, objFree, objMalloc } from './alloc.js';
import {
  isolateDstZspage,
  isolateSrcZspage,
  putbackZspage,
  ZS_INUSE_RATIO_0,
  ZS_INUSE_RATIO_100,
  zspageFullness,
} from './fullness.js';
import { poolIsContended, poolWriteLock, poolWriteUnlock, spinLock, spinUnlock } from './kernel-locks.js';
import { SITE } from './lock-sites.js';
import { copySegments, locate, newSegments, objAllocatedHandle } from './object.js';
import { zspageWriteTrylock, zspageWriteUnlock } from './zspage-lock.js';
import { clsAt, handleToObj, objIdx, recordObj, zspAt, type Zs } from './zs.js';

/** What one __zs_compact() call did. */
export interface CompactStats {
  objectsMoved: number;
  zspagesFreed: number;
  trylockOk: number;
  trylockFail: number;
}

export const newCompactStats = (): CompactStats => ({ objectsMoved: 0, zspagesFreed: 0, trylockOk: 0, trylockFail: 0 });

const from = newSegments();
const to = newSegments();

// zs_can_compact(): pages that compaction could free in this class.
export function zsCanCompact(zs: Zs, c: number): number {
  const { mem } = zs;
  const allocated = mem[clsAt(zs, c, CLS.OBJS_ALLOCATED)]!;
  const used = mem[clsAt(zs, c, CLS.OBJS_INUSE)]!;
  if (allocated <= used) return 0;
  const wasted = Math.floor((allocated - used) / mem[clsAt(zs, c, CLS.OBJS_PER_ZSPAGE)]!);
  return wasted * mem[clsAt(zs, c, CLS.PAGES_PER_ZSPAGE)]!;
}

// migrate_zspage(): move allocated objects from src to dst until dst is full or src empty.
function migrateZspage(zs: Zs, c: number, src: number, dst: number, stats: CompactStats): void {
  const { mem } = zs;
  const size = mem[clsAt(zs, c, CLS.SIZE)]!;
  const objs = mem[clsAt(zs, c, CLS.OBJS_PER_ZSPAGE)]!;
  for (let idx = 0; idx < objs; idx++) {
    // find_alloced_obj()
    const h = objAllocatedHandle(zs, src, c, idx);
    if (h < 0) continue;
    const used = handleToObj(zs, h);
    const free = objMalloc(zs, c, dst, h);
    // zs_object_copy(): the whole slot, then the tag objMalloc wrote is rewritten the same.
    locate(zs, src, size, objIdx(zs, used), 0, size >> 2, from);
    locate(zs, dst, size, objIdx(zs, free), 0, size >> 2, to);
    copySegments(mem, from, to);
    recordObj(zs, h, free);
    objFree(zs, c, used);
    stats.objectsMoved++;
    if (mem[zspAt(zs, dst, ZSP.INUSE)] === objs) break;
  }
}

export function zsCompactClass(zs: Zs, c: number, stats: CompactStats): void {
  const { mem, cpu } = zs;
  const pool = zs.L.pool;
  const classLock = clsAt(zs, c, CLS.LOCK);
  let src = -1;
  let dst = -1;
  // Protects the race between migration and zs_free() as well as isolation.
  poolWriteLock(cpu, mem, pool, SITE.__zs_compact);
  spinLock(cpu, mem, classLock, SITE.__zs_compact);
  while (zsCanCompact(zs, c) > 0) {
    if (dst < 0) {
      dst = isolateDstZspage(zs, c);
      if (dst < 0) break;
    }
    src = isolateSrcZspage(zs, c);
    if (src < 0) break;
    if (!zspageWriteTrylock(zs, src, SITE.__zs_compact)) {
      stats.trylockFail++;
      break;
    }
    stats.trylockOk++;
    migrateZspage(zs, c, src, dst, stats);
    zspageWriteUnlock(zs, src, SITE.__zs_compact);
    if (putbackZspage(zs, c, src) === ZS_INUSE_RATIO_0) {
      if (freeZspage(zs, c, src)) stats.zspagesFreed++;
    }
    src = -1;
    if (zspageFullness(zs, c, dst) === ZS_INUSE_RATIO_100 || poolIsContended(mem, pool)) {
      putbackZspage(zs, c, dst);
      dst = -1;
      spinUnlock(cpu, mem, classLock, SITE.__zs_compact);
      poolWriteUnlock(cpu, mem, pool, SITE.__zs_compact);
      // cond_resched()
      poolWriteLock(cpu, mem, pool, SITE.__zs_compact);
      spinLock(cpu, mem, classLock, SITE.__zs_compact);
    }
  }
  if (src >= 0) putbackZspage(zs, c, src);
  if (dst >= 0) putbackZspage(zs, c, dst);
  spinUnlock(cpu, mem, classLock, SITE.__zs_compact);
  poolWriteUnlock(cpu, mem, pool, SITE.__zs_compact);
}
