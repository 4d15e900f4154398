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

  return () => {
    const pfn = pickPage();
    const t0 = performance.now();
    const result = ops.migrate(pfn, rng);
    if (result !== MIGRATE.SKIPPED) metrics.record(METRIC['migrate-op'], Math.round((performance.now() - t0) * 1e6));
    counters[result === MIGRATE.MOVED ? COUNTER.MIGRATED : result === MIGRATE.REFUSED ? COUNTER.MIGRATE_REFUSED : COUNTER.SKIPPED]!++;
  };
}
