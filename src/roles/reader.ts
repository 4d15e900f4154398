// Reader: map an object, verify it, sleep holding it, verify again, unmap
// (zram reading a compressed page: zs_obj_read_begin() ... zs_obj_read_end()).
import { Rng } from '../rng.js';
import { COUNTER } from './counters.js';
import { isZero, sampleNs } from './dist.js';
import { METRIC } from './metrics.js';
import type { PoolOps, RoleEnv } from './pool.js';

const AFTER_LOCK = 'right after the read lock';
const AFTER_SLEEP = 'after sleeping with the read lock held';

export function readerStep(env: RoleEnv, ops: PoolOps): () => void {
  const { plan, rng, metrics, counters } = env;
  const span = plan.hotObjects > 0 ? Math.min(plan.hotObjects, plan.stable) : plan.stable;
  // Contention focus on a share of the reads only: the rest keep the whole pool's access pattern.
  const everywhere = plan.hotObjects > 0 && plan.hotFraction < 1 ? plan.stable : 0;
  const { hotFraction, sleepFraction, hold } = plan;
  const sleeps = !isZero(hold) && sleepFraction > 0;
  // Three clock reads and two histogram records cost nearly as much as the rest of
  // a read that does not sleep (docs/BENCHMARKS.md): time one read in `timingSample`. The
  // gaps come from a stream of their own, so that the knob changes no other choice.
  const sample = plan.timingSample;
  const gaps = new Rng(plan.seed, -1 - plan.workerIndex);
  let untilTimed = 1;

  return () => {
    const slot = everywhere > 0 && rng.float() >= hotFraction ? rng.below(everywhere) : rng.below(span);
    const timed = --untilTimed === 0;
    if (timed) untilTimed = 1 + gaps.below(2 * sample - 1);
    const t0 = timed ? performance.now() : 0;
    ops.readBegin(slot, timed);
    const t1 = timed ? performance.now() : 0;
    if (timed) metrics.record(METRIC['reader-lock-wait'], Math.round((t1 - t0) * 1e6));
    const bytes = ops.verify(AFTER_LOCK);
    if (bytes >= 0) {
      counters[COUNTER.BYTES_VERIFIED]! += bytes;
      if (sleeps && rng.float() < sleepFraction) {
        const ns = sampleNs(hold, rng);
        if (ns > 0) {
          ops.sleepHolding(ns);
          counters[COUNTER.SLEEPING_READS]!++;
          const again = ops.verify(AFTER_SLEEP);
          if (again >= 0) counters[COUNTER.BYTES_VERIFIED]! += again;
        }
      }
    }
    if (timed) metrics.record(METRIC['reader-hold'], Math.round((performance.now() - t1) * 1e6));
    ops.readEnd();
  };
}
