// The zsmalloc model keeps every object's bytes through malloc, free, migrate and compact.
import { describe, expect, it } from 'vitest';
import { CLS, HND, PG, ZSP } from '../src/arena/layout.js';
import { auditPool } from '../src/invariants/audit.js';
import type { Violation } from '../src/invariants/violation.js';
import { asyncFreeZspages, allocPage, freePage, zsFree, zsMalloc } from '../src/model/alloc.js';
import { newCompactStats, zsCanCompact, zsCompactClass } from '../src/model/compact.js';
import { MIGRATE_BUSY, MIGRATE_OK, zsPageMigrate } from '../src/model/migrate.js';
import { newMapping, zsObjReadBegin, zsObjReadEnd, zsObjWrite } from '../src/model/map.js';
import { POISON_WORD } from '../src/model/object.js';
import { buildClassTable, classIdForSize } from '../src/model/size-class.js';
import { clsAt, handleToObj, hndAt, objPfn, pageOwner, pgAt, zspAt, type Zs } from '../src/model/zs.js';
import { Rng } from '../src/rng.js';
import { smallPool } from './helpers.js';

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

  it('migration fails with -EBUSY while a reader holds the zspage', () => {
    const { zs, atomics } = smallPool();
    const m = newMapping();
    zsObjReadBegin(zs, 0, m);
    const to = allocPage(zs);
    expect(zsPageMigrate(zs, objPfn(zs, m.obj), to)).toBe(MIGRATE_BUSY);
    zsObjReadEnd(zs, m);
    freePage(zs, to);
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
