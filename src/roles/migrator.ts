// Migrator: the MM core moving a zsmalloc page (page lock, then zs_page_migrate()), on
// pages picked for contention.
import { COUNTER } from './counters.js';
import { METRIC } from './metrics.js';
import { MIGRATE, type PoolOps, type RoleEnv } from './pool.js';

export function migratorStep(env: RoleEnv, ops: PoolOps): () => void {
  const { plan, rng, metrics, counters } = env;
  const { hotObjects: hot, hotFraction, sparseFraction: sparse } = plan;
  const hotSpan = Math.min(hot, plan.stable);

  // Contention focus: with hot objects, half the migrations (times the readers' hot share)
  // target their pages; and a share targets a page of the sparsest zspage of a class
  // compaction can shrink, the zspage it frees next. The pool checks the page again under
  // its page lock. -1: a page in use of the pool's choosing.
  const pickPage = (): number => {
    if (hot > 0 && (rng.next() & 1) === 0 && (hotFraction >= 1 || rng.float() < hotFraction)) {
      const pfn = ops.pageOf(rng.below(hotSpan));
      if (pfn >= 0) return pfn;
    }
    if (sparse > 0 && rng.float() < sparse) {
      const pfn = ops.sparsePage(rng);
      if (pfn >= 0) return pfn;
    }
    return -1;
  };

  const outcomes = new Int32Array(3);
  return () => {
    const pfn = pickPage();
    outcomes.fill(0);
    const t0 = performance.now();
    ops.migrate(pfn, rng, outcomes);
    const moved = outcomes[MIGRATE.MOVED]!;
    const refused = outcomes[MIGRATE.REFUSED]!;
    const skipped = outcomes[MIGRATE.SKIPPED]!;
    // one migrate-op a page the migration core tried (a cluster's time shared out)
    if (moved + refused > 0) metrics.record(METRIC['migrate-op'], Math.round(((performance.now() - t0) * 1e6) / (moved + refused)));
    counters[COUNTER.MIGRATED]! += moved;
    counters[COUNTER.MIGRATE_REFUSED]! += refused;
    counters[COUNTER.SKIPPED]! += skipped;
    // one op a page, as a single pick is one (the loop counts the step)
    if (moved + refused + skipped > 1) counters[COUNTER.OPS]! += moved + refused + skipped - 1;
  };
}
