// Our model of zsmalloc (src/model/) as the pool behind the role steps: each operation is the
// model's function for it, with the model's own checks (the shadow's hooks, coverage, lock
// sites, the held state the watchdog reads).
import { HDR, HND, PG, SHADOW, ZSP, writersIn } from '../arena/layout.js';
import { STATE } from '../invariants/held-state.js';
import { describeMismatch } from '../invariants/integrity.js';
import { asyncFreeZspages, allocPage, freePage, zsFree, zsMalloc } from '../model/alloc.js';
import { newCompactStats, zsCanCompact, zsCompactClass } from '../model/compact.js';
import { COV, hit } from '../model/coverage.js';
import { sparsestZspage } from '../model/fullness.js';
import { pageTrylock, pageUnlock } from '../model/kernel-locks.js';
import { SITE } from '../model/lock-sites.js';
import { newMapping, zsObjReadBegin, zsObjReadEndZspage, zsObjWrite } from '../model/map.js';
import { MIGRATE_AGAIN, MIGRATE_OK, zsPageMigrate } from '../model/migrate.js';
import { contentSeed, verifyContent } from '../model/object.js';
import { zspageReadUnlock } from '../model/zspage-lock.js';
import { handleToObj, hndAt, objPfn, pageOwner, pgAt, zspAt, zspShadowAt, type Zs } from '../model/zs.js';
import type { Rng } from '../rng.js';
import { COUNTER } from '../roles/counters.js';
import { MIGRATE, type PoolOps } from '../roles/pool.js';
import type { RoleContext } from './model-context.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

/** Tries to find a page in use among this many random picks. */
const PICKS = 16;

export class ModelOps implements PoolOps {
  // The context's parts the reader's calls use, one load each.
  private readonly zs: Zs;
  private readonly mem: Int32Array;
  private readonly held: RoleContext['held'];
  private readonly noise: RoleContext['noise'];
  private readonly sink: RoleContext['sink'];
  private readonly m = newMapping();
  private readonly stats = newCompactStats();
  /** The seed the bytes of the object being read (m.handle) were written from: an Int32 word, never a boxed double. */
  private readonly seed = new Int32Array(1);

  constructor(private readonly ctx: RoleContext) {
    this.zs = ctx.zs;
    this.mem = ctx.mem;
    this.held = ctx.held;
    this.noise = ctx.noise;
    this.sink = ctx.sink;
  }

  readBegin(slot: number, timed: boolean): void {
    const { zs, mem, m, noise } = this;
    if (noise) noise.on = !timed;
    this.held.set(STATE.READ_LOCKING, -1);
    zsObjReadBegin(zs, slot, m);
    this.seed[0] = contentSeed(slot, mem[hndAt(zs, slot, HND.VERSION)]!);
  }

  verify(when: string): number {
    const { m } = this;
    const seed = this.seed[0]!;
    const bad = verifyContent(this.mem, m.seg, seed);
    if (bad < 0) return (m.seg.len0 + m.seg.len1) * 4;
    this.sink.report('integrity', `handle ${m.handle}: ${describeMismatch(this.zs, m, seed, bad)} ${when}`, m.zspage, m.handle);
    return -1;
  }

  // zram_read_from_zspool() sleeping with the mapping held: what the lock must allow.
  sleepHolding(ns: number): void {
    const { zs, mem, m } = this;
    const hooks = this.ctx.shadow;
    const shadow = zspShadowAt(zs, m.zspage);
    const trylocks = Atomics.load(mem, shadow + SHADOW.TRYLOCK_SEQ);
    zs.cpu.locks.mightSleep(SITE.zram_read);
    hooks.sleeping(m.zspage, true);
    // On the stop word, so that stopping the run wakes every sleeper.
    Atomics.wait(mem, HDR.STOP, 0, ns / 1e6);
    hooks.sleeping(m.zspage, false);
    if (Atomics.load(mem, shadow + SHADOW.TRYLOCK_SEQ) !== trylocks) hit(zs.coverage, COV.SLEPT_ACROSS_TRYLOCK);
    if (writersIn(Atomics.load(mem, shadow + SHADOW.HOLDERS)) !== 0) {
      this.sink.report('exclusion', `a writer is inside zspage ${m.zspage} while a reader holds it`, m.zspage, m.handle);
    }
  }

  readEnd(): void {
    const { zs, mem, m, sink } = this;
    const h = m.handle;
    // Plain, as the content check reads the object: an aligned word never tears, and a move
    // made while the read lock was held came before this read, which stays after the hold
    // (typed-array loads keep their order with the calls around them). A seq-cst load
    // (handleToObj) would see no more, for a runtime call on every read (bench reader-cycles).
    const now = mem[hndAt(zs, h, HND.LOCATION)]!;
    if (now !== m.obj) {
      sink.report('integrity', `handle ${h} moved from object ${m.obj} to ${now} while the read lock was held`, m.zspage, h);
    }
    // zs_obj_read_end(), in two steps: what it will unlock is judged before lockdep sees it.
    const z = zsObjReadEndZspage(zs, m);
    if (z < 0) {
      sink.report('integrity', `zs_obj_read_end: handle ${h} resolves to no zspage; zspage ${m.zspage} stays read-locked`, m.zspage, h);
    } else {
      if (z !== m.zspage && now === m.obj) {
        sink.report('integrity', `zs_obj_read_end: handle ${h} now resolves to zspage ${z}, not the read-locked zspage ${m.zspage}`, m.zspage, h);
      }
      zspageReadUnlock(zs, z, SITE.zs_obj_read_end);
    }
  }

  has(slot: number): boolean {
    return handleToObj(this.zs, slot) >= 0;
  }

  store(slot: number, len: number): boolean {
    if (!zsMalloc(this.zs, slot, len)) return false;
    zsObjWrite(this.zs, slot, 0, this.m);
    return true;
  }

  rewrite(slot: number): void {
    zsObjWrite(this.zs, slot, this.mem[hndAt(this.zs, slot, HND.VERSION)]! + 1, this.m);
  }

  free(slot: number): void {
    zsFree(this.zs, slot);
  }

  kickDeferredWork(): void {
    if (Atomics.load(this.mem, HDR.DEFERRED_FREE) !== 0) this.runDeferredWork();
  }

  runDeferredWork(): void {
    this.ctx.counters[COUNTER.ZSPAGES_FREED]! += asyncFreeZspages(this.zs);
  }

  // zs_compact(): one compaction at a time per pool; every class takes the pool and class
  // locks, even with nothing to compact.
  compact(): boolean {
    const { zs, mem, stats } = this;
    const { counters } = this.ctx;
    if (Atomics.exchange(mem, HDR.COMPACTING, 1) !== 0) return false;
    stats.objectsMoved = 0;
    stats.zspagesFreed = 0;
    for (let c = zs.table.classes.length - 1; c >= 0; c--) {
      if (Atomics.load(mem, HDR.STOP) !== 0) break;
      zsCompactClass(zs, c, stats);
      // kick_deferred_free(): the free work runs as soon as a zspage was deferred,
      // while the migrator whose page lock deferred it may still be at work.
      this.kickDeferredWork();
    }
    Atomics.store(mem, HDR.COMPACTING, 0);
    counters[COUNTER.OBJECTS_MOVED]! += stats.objectsMoved;
    counters[COUNTER.ZSPAGES_FREED]! += stats.zspagesFreed;
    return true;
  }

  pageOf(slot: number): number {
    const obj = handleToObj(this.zs, slot);
    return obj >= 0 ? objPfn(this.zs, obj) : -1;
  }

  // Counts and lists are read without the class lock: the page is checked again under its page lock.
  sparsePage(rng: Rng): number {
    const { zs, mem } = this;
    const z = sparsestZspage(zs, compactableClass(zs, rng.below(zs.table.classes.length)));
    const nr = z >= 0 ? mem[zspAt(zs, z, ZSP.NR_PAGES)]! : 0;
    return nr > 0 && nr <= zs.L.params.chainSize ? mem[zspAt(zs, z, ZSP.PAGES + rng.below(nr))]! : -1;
  }

  migrate(pick: number, rng: Rng, outcomes: Int32Array): void {
    outcomes[this.migrateOne(pick, rng)]!++;
  }

  private migrateOne(pick: number, rng: Rng): number {
    const { zs, mem } = this;
    const pfn = pick >= 0 ? pick : pageInUse(zs, rng);
    const oldLock = pgAt(zs, pfn, PG.LOCK);
    if (pfn < 0 || !pageTrylock(zs.cpu, mem, oldLock, SITE.migrate_pages)) return MIGRATE.SKIPPED;
    // isolate_movable_page(): under the page lock, the page must still be a zsmalloc page
    // (it may have been freed since it was picked).
    const newPfn = pageOwner(zs, pfn) < 0 ? -1 : allocPage(zs);
    if (newPfn < 0) {
      pageUnlock(zs.cpu, mem, oldLock, SITE.migrate_pages);
      return MIGRATE.SKIPPED;
    }
    // The MM core locks the new page too (move_to_new_folio() wants dst locked): once it
    // joins the zspage, free_zspage()'s trylock_zspage() must fail until the migrator
    // has write-unlocked the zspage, or the descriptor is freed and reused under it.
    // Another migrator may hold it for a moment, having picked it before it was freed.
    const newLock = pgAt(zs, newPfn, PG.LOCK);
    if (!pageTrylock(zs.cpu, mem, newLock, SITE.migrate_pages)) {
      freePage(zs, newPfn);
      pageUnlock(zs.cpu, mem, oldLock, SITE.migrate_pages);
      return MIGRATE.SKIPPED;
    }
    const result = zsPageMigrate(zs, pfn, newPfn);
    pageUnlock(zs.cpu, mem, newLock, SITE.migrate_pages);
    pageUnlock(zs.cpu, mem, oldLock, SITE.migrate_pages);
    // putback: the page that did not move in is freed (and poisoned)
    freePage(zs, result === MIGRATE_OK ? pfn : newPfn);
    return result === MIGRATE_OK ? MIGRATE.MOVED : result === MIGRATE_AGAIN ? MIGRATE.SKIPPED : MIGRATE.REFUSED;
  }

  setState(state: number): void {
    this.ctx.held.set(state, -1);
  }
}

/** A page in use among PICKS random ones, or -1. */
function pageInUse(zs: Zs, rng: Rng): number {
  for (let i = 0; i < PICKS; i++) {
    const pfn = rng.below(zs.L.params.pages);
    if (pageOwner(zs, pfn) >= 0) return pfn;
  }
  return -1;
}

/** The first class from `from` on (wrapping) that compaction can shrink, else `from`. */
function compactableClass(zs: Zs, from: number): number {
  const n = zs.table.classes.length;
  for (let i = 0; i < n; i++) {
    const c = (from + i) % n;
    if (zsCanCompact(zs, c) > 0) return c;
  }
  return from;
}
