// Churner: the zsmalloc user storing, rewriting and dropping pages in its own
// handles (zs_malloc() + zs_obj_write(), zs_obj_write(), zs_free()), which
// fragments zspages and gives compaction work.
import { HDR, HND } from '../arena/layout.js';
import { asyncFreeZspages, zsFree, zsMalloc } from '../model/alloc.js';
import { newMapping, zsObjWrite } from '../model/map.js';
import { handleToObj, hndAt } from '../model/zs.js';
import type { RoleContext } from './context.js';
import { COUNTER } from './counters.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

export function churnerStep(ctx: RoleContext): () => void {
  const { zs, mem, rng, counters } = ctx;
  const { minSize, maxSize } = ctx.task.scenario.objects;
  const first = ctx.task.churnFirst + ctx.task.roleIndex * ctx.task.churnEach;
  const count = ctx.task.churnEach;
  const m = newMapping();

  return () => {
    // The deferred free work (async_free_zspage()) runs on whichever thread comes by
    // first, as a workqueue item on another CPU: often while the migrator whose page
    // lock deferred it still holds that page.
    if (Atomics.load(mem, HDR.DEFERRED_FREE) !== 0) counters[COUNTER.ZSPAGES_FREED]! += asyncFreeZspages(zs);
    if (count === 0) return;
    const h = first + rng.below(count);
    if (handleToObj(zs, h) < 0) {
      if (zsMalloc(zs, h, minSize + rng.below(maxSize - minSize + 1))) {
        zsObjWrite(zs, h, 0, m);
        counters[COUNTER.MALLOCS]!++;
      } else {
        counters[COUNTER.MALLOC_FAILED]!++;
      }
    } else if ((rng.next() & 1) === 0) {
      zsFree(zs, h);
      counters[COUNTER.FREES]!++;
    } else {
      zsObjWrite(zs, h, mem[hndAt(zs, h, HND.VERSION)]! + 1, m);
      counters[COUNTER.WRITES]!++;
    }
  };
}
