// Churner: the zsmalloc user storing, rewriting and dropping pages in its own
// handles (zs_malloc() + zs_obj_write(), zs_obj_write(), zs_free()), which
// fragments zspages and gives compaction work.
import { COUNTER } from './counters.js';
import type { PoolOps, RoleEnv } from './pool.js';

export function churnerStep(env: RoleEnv, ops: PoolOps): () => void {
  const { plan, rng, counters } = env;
  const { minSize, maxSize } = plan;
  const first = plan.churnFirst + plan.roleIndex * plan.churnEach;
  const count = plan.churnEach;

  return () => {
    // The deferred free work (async_free_zspage()) runs on whichever thread comes by
    // first, as a workqueue item on another CPU: often while the migrator whose page
    // lock deferred it still holds that page.
    ops.kickDeferredWork();
    if (count === 0) return;
    const slot = first + rng.below(count);
    if (!ops.has(slot)) {
      if (ops.store(slot, minSize + rng.below(maxSize - minSize + 1))) counters[COUNTER.MALLOCS]!++;
      else counters[COUNTER.MALLOC_FAILED]!++;
    } else if ((rng.next() & 1) === 0) {
      ops.free(slot);
      counters[COUNTER.FREES]!++;
    } else {
      ops.rewrite(slot);
      counters[COUNTER.WRITES]!++;
    }
  };
}
