// The kernel's own mm/zsmalloc.c (src/zsmalloc/) as the pool behind the role steps: each
// operation is a call into the kernel's code (the KernelPool's exports), entered in this CPU's
// flight recorder as it begins. The kernel's checks (lockdep, the zspage-lock rules, KASAN,
// WARN/BUG) run inside those calls.
import type { Rng } from '../rng.js';
import { MIGRATE, type PoolOps, type RolePlan } from '../roles/pool.js';
import type { KernelRoleTask } from '../supervised/kernel-role-messages.js';
import { STEP } from '../zsmalloc/flight.js';
import { KOBJ, KOBJ_WORDS, KPAGE_BYTES } from '../zsmalloc/layout.js';
import { CLUSTER_MAX, ZSH_MIGRATED, ZSH_REFUSED, migrateCluster, objectSeed, pageInUse, pfnOfObject, storeObject } from '../zsmalloc/roles.js';
import type { KernelPool } from '../zsmalloc/runtime.js';

/** A MIGRATE outcome for what zsh_migrate() says became of a page (zsh_migrate.h). */
const outcome = (r: number) => (r === ZSH_MIGRATED ? MIGRATE.MOVED : r === ZSH_REFUSED ? MIGRATE.REFUSED : MIGRATE.SKIPPED);

/** The role's plan from the kernel stress's task: every read timed; no sparse picks (the class lists are the kernel's). */
export function kernelPlan(task: KernelRoleTask): RolePlan {
  const c = task.config;
  return {
    role: task.role,
    roleIndex: task.index,
    workerIndex: task.cpu - 1,
    seed: task.seed,
    stable: c.stable,
    churnFirst: c.stable,
    churnEach: c.churnEach,
    minSize: c.minSize,
    maxSize: c.maxSize,
    hotObjects: c.hotObjects,
    hotFraction: c.hotFraction,
    sleepFraction: c.sleepFraction,
    hold: task.hold,
    timingSample: 1,
    sparseFraction: 0,
    pause: task.pause,
  };
}

export class KernelOps implements PoolOps {
  /** Pages zs_compact() freed, and deferred work items run (the kernel stress's counters). */
  pagesCompacted = 0;
  workRun = 0;
  private readonly mem: Int32Array;
  private readonly flight: KernelPool['zspageLocks']['flight'];
  /** The object being read: its handle, length, seed and mapped address. */
  private h = 0;
  private len = 0;
  private seed = 0;
  private addr = 0;
  /** Compaction's pfn scanner: where its next cluster starts (-1: not yet drawn), and the cluster. */
  private cursor = -1;
  private readonly cluster: number[] = [];

  constructor(
    private readonly pool: KernelPool,
    private readonly plan: RolePlan,
    /** The share of untargeted migrations aimed at a page holding a stable object (KernelRoleConfig). */
    private readonly targetedMigrations: number,
    private readonly report: (message: string) => void,
  ) {
    this.mem = pool.mem;
    this.flight = pool.zspageLocks.flight;
  }

  private objAt(slot: number): number {
    return this.pool.L.objects + slot * KOBJ_WORDS;
  }

  // zram_read_from_zspool()
  readBegin(slot: number): void {
    const { mem, pool } = this;
    const at = this.objAt(slot);
    const h = mem[at + KOBJ.HANDLE]!;
    this.flight.step(STEP.READ, h);
    this.h = h;
    this.len = mem[at + KOBJ.LEN]!;
    this.seed = objectSeed(h, mem[at + KOBJ.VERSION]!);
    this.addr = pool.x.zsh_read_begin(h, this.len, pool.scratch);
    // a read lock annotated without lock_acquired() is held once the call returns
    pool.settle();
  }

  verify(when: string): number {
    const bad = this.pool.x.zsh_check(this.addr, this.len, this.seed);
    if (bad < 0) return this.len;
    this.report(`handle 0x${this.h.toString(16)}: byte ${bad} of ${this.len} is not what was written, ${when}`);
    return -1;
  }

  sleepHolding(ns: number): void {
    this.flight.step(STEP.SLEEP, ns / 1e3);
    this.pool.sleepHolding(ns / 1e6);
  }

  readEnd(): void {
    this.pool.x.zsh_read_end(this.h, this.len, this.addr);
  }

  has(slot: number): boolean {
    return this.mem[this.objAt(slot) + KOBJ.HANDLE] !== 0;
  }

  // zram_write_page(): zs_malloc() + zs_obj_write()
  store(slot: number, len: number): boolean {
    this.flight.step(STEP.WRITE, 0);
    return storeObject(this.pool, slot, len);
  }

  rewrite(slot: number): void {
    this.flight.step(STEP.WRITE, this.mem[this.objAt(slot) + KOBJ.HANDLE]!);
    storeObject(this.pool, slot, this.mem[this.objAt(slot) + KOBJ.LEN]!);
  }

  free(slot: number): void {
    const at = this.objAt(slot);
    const h = this.mem[at + KOBJ.HANDLE]!;
    this.flight.step(STEP.FREE, h);
    this.pool.x.zsh_free(h);
    this.mem[at + KOBJ.HANDLE] = 0;
    // schedule_work() queues on this CPU: its kworker runs the deferred free next
    this.runDeferredWork();
  }

  /** Nothing: the kernel's work item runs where it was queued (free) and on the compactor's CPU, not on whoever passes by. */
  kickDeferredWork(): void {}

  // process_one_work() for zsmalloc's free work
  runDeferredWork(): void {
    this.flight.step(STEP.WORK, 0);
    this.workRun += this.pool.x.zsh_run_work();
  }

  compact(): boolean {
    this.flight.step(STEP.COMPACT, 0);
    this.pagesCompacted += this.pool.x.zsh_compact();
    return true;
  }

  pageOf(slot: number): number {
    return this.has(slot) ? pfnOfObject(this.pool, slot) : -1;
  }

  /** -1: the class lists are the kernel's, not read from here (the plan has no sparse share). */
  sparsePage(): number {
    return -1;
  }

  // migrate_pages(): a page picked (zsh_migrate(): isolate, page locks, zs_page_migrate(),
  // putback), or the pool's own pick
  migrate(pick: number, rng: Rng, outcomes: Int32Array): void {
    const { pool, plan } = this;
    // the pool's own: a share (targetedMigrations) the page of a stable object, a hot one in
    // the readers' hot share; the rest compaction's next cluster of pages in use (the pages
    // of zspages being filled, emptied, compacted or freed alike), isolated first, moved after
    if (pick >= 0 || (plan.stable > 0 && rng.float() < this.targetedMigrations)) {
      const pfn = pick >= 0 ? pick : pfnOfObject(pool, rng.below(plan.hotObjects > 0 && rng.float() < plan.hotFraction ? Math.min(plan.hotObjects, plan.stable) : plan.stable));
      this.flight.step(STEP.MIGRATE, pfn);
      outcomes[outcome(pool.x.zsh_migrate(pfn, pool.scratch))]!++;
      return;
    }
    const pages = pool.L.pages;
    if (this.cursor < 0) this.cursor = rng.below(pages);
    const pfns = this.cluster;
    pfns.length = 0;
    for (let tries = 0; tries < pages && pfns.length < CLUSTER_MAX; tries++, this.cursor = (this.cursor + 1) % pages) {
      if (pageInUse(pool, this.cursor)) pfns.push(pool.L.frames / KPAGE_BYTES + this.cursor);
    }
    if (pfns.length === 0) {
      outcomes[MIGRATE.SKIPPED]!++;
      return;
    }
    this.flight.step(STEP.MIGRATE, pfns[0]!);
    for (const r of migrateCluster(pool, pfns)) outcomes[outcome(r)]!++;
  }

  /** Nothing: the kernel pool's watch reads the CPUs' preemption state, not a held state. */
  setState(): void {}
}
