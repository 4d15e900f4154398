// Compactor: zs_compact(), one pass over every class, plus the deferred free work.
import { HDR } from '../arena/layout.js';
import { asyncFreeZspages } from '../model/alloc.js';
import { newCompactStats, zsCompactClass } from '../model/compact.js';
import type { RoleContext } from './context.js';
import { COUNTER } from './counters.js';
import { METRIC } from './metrics.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

export function compactorStep(ctx: RoleContext): () => void {
  const { zs, mem, metrics, counters } = ctx;
  const stats = newCompactStats();
  const classes = zs.table.classes.length;

  return () => {
    counters[COUNTER.ZSPAGES_FREED]! += asyncFreeZspages(zs);
    // zs_compact(): one compaction at a time per pool.
    if (Atomics.exchange(mem, HDR.COMPACTING, 1) !== 0) return;
    const t0 = performance.now();
    stats.objectsMoved = 0;
    stats.zspagesFreed = 0;
    // Every class takes the pool and class locks, even with nothing to compact.
    for (let c = classes - 1; c >= 0; c--) {
      if (Atomics.load(mem, HDR.STOP) !== 0) break;
      zsCompactClass(zs, c, stats);
      // kick_deferred_free(): the free work runs as soon as a zspage was deferred,
      // while the migrator whose page lock deferred it may still be at work.
      if (Atomics.load(mem, HDR.DEFERRED_FREE) !== 0) counters[COUNTER.ZSPAGES_FREED]! += asyncFreeZspages(zs);
    }
    Atomics.store(mem, HDR.COMPACTING, 0);
    metrics.record(METRIC['compact-op'], Math.round((performance.now() - t0) * 1e6));
    counters[COUNTER.OBJECTS_MOVED]! += stats.objectsMoved;
    counters[COUNTER.ZSPAGES_FREED]! += stats.zspagesFreed;
  };
}
