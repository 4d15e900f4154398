// Pages, zspages and objects: alloc_zspage(), obj_malloc(), obj_free(),
// zs_malloc(), zs_free(), free_zspage() and the deferred free path.
import { CLS, HDR, HND, PG, STACK, ZSP, ZSPAGE_MAGIC, SHADOW_WORDS } from '../arena/layout.js';
import {
  findGetZspage,
  fixFullnessGroup,
  insertZspage,
  ISOLATED,
  removeZspage,
  ZS_INUSE_RATIO_0,
  zspageFullness,
} from './fullness.js';
import { pageTrylock, pageUnlock, poolReadLock, poolReadUnlock, spinLock, spinUnlock } from './kernel-locks.js';
import { SITE } from './lock-sites.js';
import { locate, newSegments, objStartPage, poison, poisonPage, slotHeadAt } from './object.js';
import { COV, hit } from './coverage.js';
import { classIdForSize } from './size-class.js';
import { zspageLockInit, zspageReadLock, zspageReadUnlock } from './zspage-lock.js';
import {
  clsAt,
  handleToObj,
  hndAt,
  locationToObj,
  objIdx,
  objPfn,
  pageOwner,
  pgAt,
  recordObj,
  zspAt,
  zspShadowAt,
  type Zs,
} from './zs.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

const seg = newSegments();

// alloc_page() / __free_page(): a stack of free page frames under a spinlock (the zone lock).
export function allocPage(zs: Zs): number {
  const { mem } = zs;
  const at = zs.L.pageAlloc;
  spinLock(zs.cpu, mem, at + STACK.LOCK, SITE.alloc_page);
  const top = mem[at + STACK.TOP]!;
  const pfn = top > 0 ? mem[zs.L.freePages + top - 1]! : -1;
  if (top > 0) mem[at + STACK.TOP] = top - 1;
  spinUnlock(zs.cpu, mem, at + STACK.LOCK, SITE.alloc_page);
  return pfn;
}

export function freePage(zs: Zs, pfn: number): void {
  const { mem } = zs;
  poisonPage(zs, pfn);
  mem[pgAt(zs, pfn, PG.OWNER)] = -1;
  mem[pgAt(zs, pfn, PG.HANDLE)] = -1;
  const at = zs.L.pageAlloc;
  spinLock(zs.cpu, mem, at + STACK.LOCK, SITE.__free_page);
  mem[zs.L.freePages + mem[at + STACK.TOP]!++] = pfn;
  spinUnlock(zs.cpu, mem, at + STACK.LOCK, SITE.__free_page);
}

// cache_alloc_zspage() / cache_free_zspage()
function allocZspageDesc(zs: Zs): number {
  const { mem } = zs;
  const at = zs.L.zspageAlloc;
  spinLock(zs.cpu, mem, at + STACK.LOCK, SITE.cache_alloc_zspage);
  const top = mem[at + STACK.TOP]!;
  const z = top > 0 ? mem[zs.L.freeZspages + top - 1]! : -1;
  if (top > 0) mem[at + STACK.TOP] = top - 1;
  spinUnlock(zs.cpu, mem, at + STACK.LOCK, SITE.cache_alloc_zspage);
  return z;
}

function freeZspageDesc(zs: Zs, z: number): void {
  const { mem } = zs;
  mem[zspAt(zs, z, ZSP.CLASS)] = -1;
  mem[zspAt(zs, z, ZSP.MAGIC)] = 0;
  const at = zs.L.zspageAlloc;
  spinLock(zs.cpu, mem, at + STACK.LOCK, SITE.cache_free_zspage);
  mem[zs.L.freeZspages + mem[at + STACK.TOP]!++] = z;
  spinUnlock(zs.cpu, mem, at + STACK.LOCK, SITE.cache_free_zspage);
}

// alloc_zspage(): pages, descriptor, lock init, page chain, free object list.
// Its pages are not movable (PG.OWNER stays -1) until zs_malloc() publishes them.
export function allocZspage(zs: Zs, c: number): number {
  const { mem } = zs;
  const nrPages = mem[clsAt(zs, c, CLS.PAGES_PER_ZSPAGE)]!;
  const z = allocZspageDesc(zs);
  if (z < 0) return -1;
  for (let i = 0; i < nrPages; i++) {
    const pfn = allocPage(zs);
    if (pfn < 0) {
      for (let j = 0; j < i; j++) freePage(zs, mem[zspAt(zs, z, ZSP.PAGES + j)]!);
      freeZspageDesc(zs, z);
      return -1;
    }
    mem[zspAt(zs, z, ZSP.PAGES + i)] = pfn;
  }
  mem[zspAt(zs, z, ZSP.MAGIC)] = ZSPAGE_MAGIC;
  mem[zspAt(zs, z, ZSP.CLASS)] = c;
  mem[zspAt(zs, z, ZSP.INUSE)] = 0;
  mem[zspAt(zs, z, ZSP.NR_PAGES)] = nrPages;
  mem[zspAt(zs, z, ZSP.FULLNESS)] = ISOLATED;
  mem[zspAt(zs, z, ZSP.PREV)] = -1;
  mem[zspAt(zs, z, ZSP.NEXT)] = -1;
  const shadow = zspShadowAt(zs, z);
  for (let i = 0; i < SHADOW_WORDS; i++) Atomics.store(mem, shadow + i, 0);
  zspageLockInit(zs, z);
  initZspage(zs, c, z, nrPages);
  return z;
}

// create_page_chain() + init_zspage(): first object offsets and the free list.
function initZspage(zs: Zs, c: number, z: number, nrPages: number): void {
  const { mem, pageSize } = zs;
  const size = mem[clsAt(zs, c, CLS.SIZE)]!;
  const objs = mem[clsAt(zs, c, CLS.OBJS_PER_ZSPAGE)]!;
  for (let i = 0; i < nrPages; i++) {
    const pfn = mem[zspAt(zs, z, ZSP.PAGES + i)]!;
    const first = Math.ceil((i * pageSize) / size) * size - i * pageSize;
    mem[pgAt(zs, pfn, PG.FIRST_OBJ_OFFSET)] = first;
    mem[pgAt(zs, pfn, PG.HANDLE)] = -1;
  }
  for (let idx = 0; idx < objs; idx++) {
    mem[slotHeadAt(zs, z, size, idx)] = (idx + 1 < objs ? idx + 1 : -1) << 1;
  }
  mem[zspAt(zs, z, ZSP.FREEOBJ)] = 0;
}

// SetZsPageMovable(): from now on migration may pick its pages. Under the class lock.
function setZspageMovable(zs: Zs, z: number): void {
  const nr = zs.mem[zspAt(zs, z, ZSP.NR_PAGES)]!;
  for (let i = 0; i < nr; i++) zs.mem[pgAt(zs, zs.mem[zspAt(zs, z, ZSP.PAGES + i)]!, PG.OWNER)] = z;
}

// obj_malloc(): take the first free object and tag it with its handle. Under the class lock.
export function objMalloc(zs: Zs, c: number, z: number, h: number): number {
  const { mem } = zs;
  const size = mem[clsAt(zs, c, CLS.SIZE)]!;
  const idx = mem[zspAt(zs, z, ZSP.FREEOBJ)]!;
  const head = slotHeadAt(zs, z, size, idx);
  mem[zspAt(zs, z, ZSP.FREEOBJ)] = mem[head]! >> 1;
  const pfn = objStartPage(zs, z, size, idx);
  if (mem[clsAt(zs, c, CLS.HUGE)] === 1) {
    mem[pgAt(zs, pfn, PG.HANDLE)] = h;
  } else {
    mem[head] = (h << 1) | 1;
    mem[head + 1] = 0;
  }
  mem[zspAt(zs, z, ZSP.INUSE)]!++;
  return locationToObj(zs, pfn, idx);
}

// obj_free(): poison the object and push it on its zspage's free list. Under the class lock.
export function objFree(zs: Zs, c: number, obj: number): void {
  const { mem } = zs;
  const z = pageOwner(zs, objPfn(zs, obj));
  const idx = objIdx(zs, obj);
  const size = mem[clsAt(zs, c, CLS.SIZE)]!;
  locate(zs, z, size, idx, 0, size >> 2, seg);
  poison(mem, seg);
  if (mem[clsAt(zs, c, CLS.HUGE)] === 1) mem[pgAt(zs, objPfn(zs, obj), PG.HANDLE)] = -1;
  mem[slotHeadAt(zs, z, size, idx)] = mem[zspAt(zs, z, ZSP.FREEOBJ)]! << 1;
  mem[zspAt(zs, z, ZSP.FREEOBJ)] = idx;
  mem[zspAt(zs, z, ZSP.INUSE)]!--;
}

/** zs_malloc(): false when the arena is out of pages (-ENOMEM). */
export function zsMalloc(zs: Zs, h: number, userSize: number): boolean {
  const { mem, cpu } = zs;
  const c = classIdForSize(zs.table, userSize);
  const lock = clsAt(zs, c, CLS.LOCK);
  spinLock(cpu, mem, lock, SITE.zs_malloc);
  const found = findGetZspage(zs, c);
  if (found >= 0) {
    recordObj(zs, h, objMalloc(zs, c, found, h));
    fixFullnessGroup(zs, c, found);
    mem[clsAt(zs, c, CLS.OBJS_INUSE)]!++;
    spinUnlock(cpu, mem, lock, SITE.zs_malloc);
  } else {
    spinUnlock(cpu, mem, lock, SITE.zs_malloc);
    const z = allocZspage(zs, c);
    if (z < 0) return false;
    spinLock(cpu, mem, lock, SITE.zs_malloc);
    recordObj(zs, h, objMalloc(zs, c, z, h));
    insertZspage(zs, c, z, zspageFullness(zs, c, z));
    mem[clsAt(zs, c, CLS.OBJS_ALLOCATED)]! += mem[clsAt(zs, c, CLS.OBJS_PER_ZSPAGE)]!;
    mem[clsAt(zs, c, CLS.OBJS_INUSE)]!++;
    mem[clsAt(zs, c, CLS.ZSPAGES)]!++;
    setZspageMovable(zs, z);
    spinUnlock(cpu, mem, lock, SITE.zs_malloc);
  }
  mem[hndAt(zs, h, HND.SIZE)] = userSize;
  return true;
}

// zs_free()
export function zsFree(zs: Zs, h: number): void {
  const { mem, cpu } = zs;
  poolReadLock(cpu, mem, zs.L.pool, SITE.zs_free);
  const obj = handleToObj(zs, h);
  const z = pageOwner(zs, objPfn(zs, obj));
  const c = mem[zspAt(zs, z, ZSP.CLASS)]!;
  const lock = clsAt(zs, c, CLS.LOCK);
  spinLock(cpu, mem, lock, SITE.zs_free);
  poolReadUnlock(cpu, mem, zs.L.pool, SITE.zs_free);
  mem[clsAt(zs, c, CLS.OBJS_INUSE)]!--;
  objFree(zs, c, obj);
  if (fixFullnessGroup(zs, c, z) === ZS_INUSE_RATIO_0) freeZspage(zs, c, z);
  spinUnlock(cpu, mem, lock, SITE.zs_free);
  recordObj(zs, h, -1);
}

// free_zspage(): free now if every page lock can be taken, else leave it in the
// ratio-0 list for async_free_zspage() (kick_deferred_free()). Under the class lock.
export function freeZspage(zs: Zs, c: number, z: number): boolean {
  const { mem } = zs;
  const nr = mem[zspAt(zs, z, ZSP.NR_PAGES)]!;
  for (let i = 0; i < nr; i++) {
    if (!pageTrylock(zs.cpu, mem, pgAt(zs, mem[zspAt(zs, z, ZSP.PAGES + i)]!, PG.LOCK), SITE.free_zspage)) {
      for (let j = 0; j < i; j++) pageUnlock(zs.cpu, mem, pgAt(zs, mem[zspAt(zs, z, ZSP.PAGES + j)]!, PG.LOCK), SITE.free_zspage);
      Atomics.add(mem, HDR.DEFERRED_FREE, 1);
      return false;
    }
  }
  removeZspage(zs, c, z);
  freeLockedZspage(zs, c, z);
  return true;
}

// __free_zspage(): every page is locked by the caller; under the class lock.
function freeLockedZspage(zs: Zs, c: number, z: number): void {
  const { mem } = zs;
  const nr = mem[zspAt(zs, z, ZSP.NR_PAGES)]!;
  for (let i = 0; i < nr; i++) {
    const pfn = mem[zspAt(zs, z, ZSP.PAGES + i)]!;
    mem[pgAt(zs, pfn, PG.OWNER)] = -1;
    pageUnlock(zs.cpu, mem, pgAt(zs, pfn, PG.LOCK), SITE.__free_zspage);
    freePage(zs, pfn);
  }
  mem[clsAt(zs, c, CLS.OBJS_ALLOCATED)]! -= mem[clsAt(zs, c, CLS.OBJS_PER_ZSPAGE)]!;
  mem[clsAt(zs, c, CLS.ZSPAGES)]!--;
  freeZspageDesc(zs, z);
}

// async_free_zspage(): take every ratio-0 zspage off its list, lock its pages
// (lock_zspage()), free it. Returns how many it freed.
export function asyncFreeZspages(zs: Zs): number {
  const { mem, cpu } = zs;
  if (Atomics.exchange(mem, HDR.DEFERRED_FREE, 0) === 0) return 0;
  let freed = 0;
  for (let c = 0; c < zs.table.classes.length; c++) {
    const lock = clsAt(zs, c, CLS.LOCK);
    spinLock(cpu, mem, lock, SITE.async_free_zspage);
    let z = mem[clsAt(zs, c, CLS.FULLNESS_HEAD + ZS_INUSE_RATIO_0)]!;
    let spliced = -1;
    while (z >= 0) {
      const next = mem[zspAt(zs, z, ZSP.NEXT)]!;
      removeZspage(zs, c, z);
      mem[zspAt(zs, z, ZSP.NEXT)] = spliced;
      spliced = z;
      z = next;
    }
    spinUnlock(cpu, mem, lock, SITE.async_free_zspage);
    while (spliced >= 0) {
      const next = mem[zspAt(zs, spliced, ZSP.NEXT)]!;
      mem[zspAt(zs, spliced, ZSP.NEXT)] = -1;
      lockZspage(zs, spliced);
      spinLock(cpu, mem, lock, SITE.async_free_zspage);
      freeLockedZspage(zs, c, spliced);
      spinUnlock(cpu, mem, lock, SITE.async_free_zspage);
      freed++;
      spliced = next;
    }
  }
  return freed;
}

// lock_zspage(): lock every page, each under the zspage read lock (a migration may
// replace a page we have not locked yet), dropping the read lock before waiting.
function lockZspage(zs: Zs, z: number): void {
  const { mem } = zs;
  const nr = mem[zspAt(zs, z, ZSP.NR_PAGES)]!;
  zspageReadLock(zs, z, SITE.lock_zspage);
  for (let i = 0; i < nr; ) {
    const pfn = mem[zspAt(zs, z, ZSP.PAGES + i)]!;
    if (pageTrylock(zs.cpu, mem, pgAt(zs, pfn, PG.LOCK), SITE.lock_zspage)) {
      i++;
      continue;
    }
    hit(zs.coverage, COV.LOCK_ZSPAGE_MET_LOCKED_PAGE);
    zspageReadUnlock(zs, z, SITE.lock_zspage);
    // zpdesc_wait_locked(): sleeps, holding the pages locked so far
    zs.cpu.locks.mightSleep(SITE.lock_zspage);
    while (Atomics.load(mem, pgAt(zs, pfn, PG.LOCK)) !== 0) Atomics.wait(mem, pgAt(zs, pfn, PG.LOCK), 1, 0.05);
    zspageReadLock(zs, z, SITE.lock_zspage);
  }
  zspageReadUnlock(zs, z, SITE.lock_zspage);
}
