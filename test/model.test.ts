// The zsmalloc model keeps every object's bytes through malloc, free, migrate and compact.
import { describe, expect, it } from 'vitest';
import { CLS, HND, PG, ZSP } from '../src/arena/layout.js';
import { auditPool } from '../src/invariants/audit.js';
import type { Violation } from '../src/records/violation.js';
import { asyncFreeZspages, allocPage, freePage, zsFree, zsMalloc } from '../src/model/alloc.js';
import { newCompactStats, zsCanCompact, zsCompactClass } from '../src/model/compact.js';
import { EBUSY, EINVAL } from '../src/model/kernel-version.js';
import { MIGRATE_OK, zsPageMigrate } from '../src/model/migrate.js';
import { newMapping, zsObjReadBegin, zsObjReadEnd, zsObjWrite } from '../src/model/map.js';
import { POISON_WORD } from '../src/model/object.js';
import { buildClassTable, classIdForSize } from '../src/model/size-class.js';
import { insertZspage, ISOLATED, removeZspage, ZS_INUSE_RATIO_0 } from '../src/model/fullness.js';
import { clsAt, handleToObj, hndAt, locationToObj, objPfn, pageOwner, pgAt, zspAt, zspLockAt, type Zs } from '../src/model/zs.js';
import { Rng } from '../src/rng.js';
import { scenarioInput } from '../src/scenario/echo.js';
import { smallPool, smallScenario } from './helpers.js';

const collect = () => {
  const seen: Pick<Violation, 'kind' | 'message'>[] = [];
  return { seen, sink: { report: (kind: Violation['kind'], message: string) => void seen.push({ kind, message }) } };
};

function audit(zs: Zs, atomics: Parameters<typeof auditPool>[1]) {
  const { seen, sink } = collect();
  const r = auditPool(zs, atomics, sink);
  return { ...r, seen };
}

const liveHandles = (zs: Zs) => Array.from({ length: zs.L.params.handles }, (_, h) => h).filter((h) => handleToObj(zs, h) >= 0);

describe('size classes', () => {
  const table = buildClassTable(4096, 8);

  it('merges classes with the same pages and objects per zspage', () => {
    for (let i = 1; i < table.classes.length; i++) {
      const [a, b] = [table.classes[i - 1]!, table.classes[i]!];
      expect(a.size).toBeLessThan(b.size);
      expect([a.pagesPerZspage, a.objsPerZspage]).not.toEqual([b.pagesPerZspage, b.objsPerZspage]);
    }
    expect(table.classes.length).toBeLessThan(255);
  });

  it('puts the largest objects in one huge class of one-page zspages', () => {
    const huge = table.classes[classIdForSize(table, 4096)]!;
    expect(huge).toMatchObject({ size: 4096, pagesPerZspage: 1, objsPerZspage: 1, huge: true });
    expect(table.classes[classIdForSize(table, 1)]!.size).toBe(32);
    // zs_malloc adds the handle: 24 user bytes still fit the 32-byte class, 25 do not
    expect(table.classes[classIdForSize(table, 24)]!.size).toBe(32);
    expect(table.classes[classIdForSize(table, 25)]!.size).toBe(48);
  });
});

describe('pool operations', () => {
  it('builds a pool whose audit is clean and whose objects straddle pages', () => {
    const { zs, atomics } = smallPool();
    const r = audit(zs, atomics);
    expect(r.seen).toEqual([]);
    expect(r.objects).toBe(500);
    const straddling = liveHandles(zs).filter((h) => {
      const m = newMapping();
      zsObjReadBegin(zs, h, m);
      zsObjReadEnd(zs, m);
      return m.seg.len1 > 0;
    });
    expect(straddling.length).toBeGreaterThan(10);
  });

  it('keeps every byte through free, migrate, compact and deferred free', () => {
    const { zs, atomics } = smallPool();
    const rng = new Rng(1, 1);
    const m = newMapping();
    // churn: free most objects so compaction has work, rewrite some others
    for (const h of liveHandles(zs)) {
      const r = rng.float();
      if (r < 0.6) zsFree(zs, h);
      else if (r < 0.8) zsObjWrite(zs, h, zs.mem[hndAt(zs, h, HND.VERSION)]! + 1, m);
    }
    let migrated = 0;
    for (let i = 0; i < 300; i++) {
      const pfn = rng.below(zs.L.params.pages);
      if (pageOwner(zs, pfn) < 0) continue;
      const to = allocPage(zs);
      const r = zsPageMigrate(zs, pfn, to);
      freePage(zs, r === MIGRATE_OK ? pfn : to);
      if (r === MIGRATE_OK) migrated++;
    }
    expect(migrated).toBeGreaterThan(50);
    const stats = newCompactStats();
    const before = zs.L.params.pages - zs.mem[zs.L.pageAlloc + 1]!;
    for (let c = 0; c < zs.table.classes.length; c++) if (zsCanCompact(zs, c) > 0) zsCompactClass(zs, c, stats);
    asyncFreeZspages(zs);
    const after = zs.L.params.pages - zs.mem[zs.L.pageAlloc + 1]!;
    expect(stats.objectsMoved).toBeGreaterThan(0);
    expect(stats.zspagesFreed).toBeGreaterThan(0);
    expect(after).toBeLessThan(before);
    const r = audit(zs, atomics);
    expect(r.seen).toEqual([]);
    expect(r.objects).toBe(liveHandles(zs).length);
  });

  it('migration moves the objects that start in the page and poisons the old page', () => {
    const { zs } = smallPool();
    const h = 0;
    const from = objPfn(zs, handleToObj(zs, h));
    const to = allocPage(zs);
    expect(zsPageMigrate(zs, from, to)).toBe(MIGRATE_OK);
    expect(objPfn(zs, handleToObj(zs, h))).toBe(to);
    expect(pageOwner(zs, from)).toBe(-1);
    freePage(zs, from);
    expect(zs.mem[zs.frameWords + from * zs.pageWords]).toBe(POISON_WORD);
  });

  it('migration fails while a reader holds the zspage: -EINVAL in 6.15, -EBUSY in mainline', () => {
    for (const [kernel, errno] of [['6.15', EINVAL], ['mainline', EBUSY]] as const) {
      const { zs, atomics } = smallPool(undefined, 7, { kernel });
      expect(zs.kernel).toBe(kernel);
      const m = newMapping();
      zsObjReadBegin(zs, 0, m);
      const to = allocPage(zs);
      expect(zsPageMigrate(zs, objPfn(zs, m.obj), to)).toBe(errno);
      zsObjReadEnd(zs, m);
      freePage(zs, to);
      expect(audit(zs, atomics).seen).toEqual([]);
    }
  });

  it("the modelled kernel is a scenario field: 6.15 by default, recorded as given, anything else refused", () => {
    expect(smallScenario().kernel).toBe('6.15');
    expect(scenarioInput(smallScenario({ kernel: 'mainline' })).kernel).toBe('mainline');
    expect(() => smallScenario({ kernel: '6.14' as never })).toThrow(/scenario test: .*kernel/);
  });

  it('zs_obj_read_end unlocks the zspage the handle resolves to now, not the one it locked', () => {
    const { zs } = smallPool();
    const m = newMapping();
    zsObjReadBegin(zs, 0, m);
    const locked = m.zspage;
    // as a broken lock would let compaction do: the object now lives in another zspage
    const elsewhere = liveHandles(zs).map((h) => handleToObj(zs, h)).find((o) => pageOwner(zs, objPfn(zs, o)) !== locked)!;
    const other = pageOwner(zs, objPfn(zs, elsewhere));
    const was = handleToObj(zs, 0);
    zs.mem[hndAt(zs, 0, HND.LOCATION)] = elsewhere;
    const lockWord = (z: number) => zs.mem[zspLockAt(zs, z)]!;
    zs.lock.readLock(zs.mem, zspLockAt(zs, other));
    expect([lockWord(locked), lockWord(other)]).toEqual([1, 1]);
    expect(zsObjReadEnd(zs, m)).toBe(other);
    expect([lockWord(locked), lockWord(other)]).toEqual([1, 0]);
    // a handle that resolves to a page in no zspage: nothing is unlocked
    zs.mem[hndAt(zs, 0, HND.LOCATION)] = locationToObj(zs, allocPage(zs), 0);
    expect(zsObjReadEnd(zs, m)).toBe(-1);
    expect(lockWord(locked)).toBe(1);
    zs.mem[hndAt(zs, 0, HND.LOCATION)] = was;
    expect(zsObjReadEnd(zs, m)).toBe(locked);
    expect(lockWord(locked)).toBe(0);
  });

  it('migrates a page of a zspage that async_free_zspage() has taken off its list, and lock_zspage() follows it', () => {
    const { zs, atomics } = smallPool();
    expect(zsMalloc(zs, 599, 3000)).toBe(true);
    zsObjWrite(zs, 599, 0, newMapping());
    const z = pageOwner(zs, objPfn(zs, handleToObj(zs, 599)));
    const pfn = zs.mem[zspAt(zs, z, ZSP.PAGES)]!;
    // a migrator holds the page: freeing the last object defers the zspage's free
    Atomics.store(zs.mem, pgAt(zs, pfn, PG.LOCK), 1);
    for (const x of liveHandles(zs)) if (pageOwner(zs, objPfn(zs, handleToObj(zs, x))) === z) zsFree(zs, x);
    expect(zs.mem[zspAt(zs, z, ZSP.INUSE)]).toBe(0);
    expect(zs.mem[zspAt(zs, z, ZSP.CLASS)]).toBeGreaterThanOrEqual(0);
    // as asyncFreeZspages() leaves it between its list splice and lock_zspage()
    const c = zs.mem[zspAt(zs, z, ZSP.CLASS)]!;
    removeZspage(zs, c, z);
    expect(zs.mem[zspAt(zs, z, ZSP.FULLNESS)]).toBe(ISOLATED);
    const to = allocPage(zs);
    expect(zsPageMigrate(zs, pfn, to)).toBe(MIGRATE_OK);
    Atomics.store(zs.mem, pgAt(zs, pfn, PG.LOCK), 0);
    freePage(zs, pfn);
    expect(zs.mem[zspAt(zs, z, ZSP.PAGES)]).toBe(to);
    insertZspage(zs, c, z, ZS_INUSE_RATIO_0);
    expect(asyncFreeZspages(zs)).toBe(1);
    expect(zs.mem[zspAt(zs, z, ZSP.CLASS)]).toBe(-1);
    expect(audit(zs, atomics).seen).toEqual([]);
  });

  it('defers freeing a zspage whose page is locked, until async_free_zspage', () => {
    const { zs, atomics } = smallPool();
    // a 3000-byte object on a spare handle; then free every other object of its zspage
    expect(zsMalloc(zs, 599, 3000)).toBe(true);
    zsObjWrite(zs, 599, 0, newMapping());
    const z = pageOwner(zs, objPfn(zs, handleToObj(zs, 599)));
    const c = zs.mem[zspAt(zs, z, ZSP.CLASS)]!;
    const others = liveHandles(zs).filter((x) => x !== 599 && pageOwner(zs, objPfn(zs, handleToObj(zs, x))) === z);
    for (const x of others) zsFree(zs, x);
    const pfn = zs.mem[zspAt(zs, z, ZSP.PAGES)]!;
    Atomics.store(zs.mem, pgAt(zs, pfn, PG.LOCK), 1);
    const zspagesBefore = zs.mem[clsAt(zs, c, CLS.ZSPAGES)]!;
    zsFree(zs, 599);
    expect(zs.mem[clsAt(zs, c, CLS.ZSPAGES)]).toBe(zspagesBefore);
    Atomics.store(zs.mem, pgAt(zs, pfn, PG.LOCK), 0);
    expect(asyncFreeZspages(zs)).toBeGreaterThanOrEqual(1);
    expect(zs.mem[clsAt(zs, c, CLS.ZSPAGES)]).toBe(zspagesBefore - 1);
    expect(audit(zs, atomics).seen).toEqual([]);
  });

  it('reports -ENOMEM when the arena is full', () => {
    const { zs } = smallPool();
    let stored = 0;
    // one huge object per page, all through the same spare handle, until the pages run out
    while (stored <= zs.L.params.pages && zsMalloc(zs, 599, 4096)) stored++;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(zs.L.params.pages);
    expect(zs.mem[zs.L.pageAlloc + 1]).toBe(0);
  });
});
