// Migrator: the MM core moving a zsmalloc page (page lock, then zs_page_migrate()).
import { PG, ZSP } from '../arena/layout.js';
import { allocPage, freePage } from '../model/alloc.js';
import { pageTrylock, pageUnlock } from '../model/kernel-locks.js';
import { SITE } from '../model/lock-sites.js';
import { MIGRATE_AGAIN, MIGRATE_OK, zsPageMigrate } from '../model/migrate.js';
import { zsCanCompact } from '../model/compact.js';
import { sparsestZspage } from '../model/fullness.js';
import { handleToObj, objPfn, pageOwner, pgAt, zspAt } from '../model/zs.js';
import type { RoleContext } from './context.js';
import { COUNTER } from './counters.js';
import { METRIC } from './metrics.js';

/** Tries to find a page in use among this many random picks. */
const PICKS = 16;

export function migratorStep(ctx: RoleContext): () => void {
  const { zs, mem, rng, metrics, counters } = ctx;
  const pages = zs.L.params.pages;
  const { hotObjects: hot, hotFraction } = ctx.task.scenario.readers;
  const sparse = ctx.task.scenario.migrators.sparseFraction;
  const classes = zs.table.classes.length;

  // Contention focus: with hot objects, half the migrations (times the readers' hot share)
  // target their pages; and a share targets a page of the sparsest zspage of a class
  // compaction can shrink, the zspage it frees next. Counts and lists are read without
  // the class lock: the page is checked again under its page lock.
  const pickPage = (): number => {
    if (hot > 0 && (rng.next() & 1) === 0 && (hotFraction >= 1 || rng.float() < hotFraction)) {
      const obj = handleToObj(zs, rng.below(Math.min(hot, ctx.task.stable)));
      if (obj >= 0) return objPfn(zs, obj);
    }
    if (sparse > 0 && rng.float() < sparse) {
      const z = sparsestZspage(zs, compactableClass(zs, rng.below(classes)));
      const nr = z >= 0 ? mem[zspAt(zs, z, ZSP.NR_PAGES)]! : 0;
      if (nr > 0 && nr <= zs.L.params.chainSize) return mem[zspAt(zs, z, ZSP.PAGES + rng.below(nr))]!;
    }
    for (let i = 0; i < PICKS; i++) {
      const pfn = rng.below(pages);
      if (pageOwner(zs, pfn) >= 0) return pfn;
    }
    return -1;
  };

  return () => {
    const pfn = pickPage();
    const oldLock = pgAt(zs, pfn, PG.LOCK);
    if (pfn < 0 || !pageTrylock(zs.cpu, mem, oldLock, SITE.migrate_pages)) {
      counters[COUNTER.SKIPPED]!++;
      return;
    }
    // isolate_movable_page(): under the page lock, the page must still be a zsmalloc page
    // (it may have been freed since it was picked).
    const newPfn = pageOwner(zs, pfn) < 0 ? -1 : allocPage(zs);
    if (newPfn < 0) {
      pageUnlock(zs.cpu, mem, oldLock, SITE.migrate_pages);
      counters[COUNTER.SKIPPED]!++;
      return;
    }
    // The MM core locks the new page too (move_to_new_folio() wants dst locked): once it
    // joins the zspage, free_zspage()'s trylock_zspage() must fail until the migrator
    // has write-unlocked the zspage, or the descriptor is freed and reused under it.
    // Another migrator may hold it for a moment, having picked it before it was freed.
    const newLock = pgAt(zs, newPfn, PG.LOCK);
    if (!pageTrylock(zs.cpu, mem, newLock, SITE.migrate_pages)) {
      freePage(zs, newPfn);
      pageUnlock(zs.cpu, mem, oldLock, SITE.migrate_pages);
      counters[COUNTER.SKIPPED]!++;
      return;
    }
    const t0 = performance.now();
    const result = zsPageMigrate(zs, pfn, newPfn);
    metrics.record(METRIC['migrate-op'], Math.round((performance.now() - t0) * 1e6));
    pageUnlock(zs.cpu, mem, newLock, SITE.migrate_pages);
    pageUnlock(zs.cpu, mem, oldLock, SITE.migrate_pages);
    // putback: the page that did not move in is freed (and poisoned)
    freePage(zs, result === MIGRATE_OK ? pfn : newPfn);
    if (result === MIGRATE_AGAIN) counters[COUNTER.SKIPPED]!++;
  };
}

/** The first class from `from` on (wrapping) that compaction can shrink, else `from`. */
function compactableClass(zs: RoleContext['zs'], from: number): number {
  const n = zs.table.classes.length;
  for (let i = 0; i < n; i++) {
    const c = (from + i) % n;
    if (zsCanCompact(zs, c) > 0) return c;
  }
  return from;
}
