// Compactor: zs_compact(), one pass over every class, plus the deferred free work.
import { METRIC } from './metrics.js';
import type { PoolOps, RoleEnv } from './pool.js';

export function compactorStep(env: RoleEnv, ops: PoolOps): () => void {
  const { metrics } = env;
  return () => {
    ops.runDeferredWork();
    const t0 = performance.now();
    if (!ops.compact()) return;
    metrics.record(METRIC['compact-op'], Math.round((performance.now() - t0) * 1e6));
  };
}
