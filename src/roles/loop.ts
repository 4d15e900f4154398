// The loop every role runs, whatever the pool: one step per turn, and between turns the
// coordinator's signals (stop, stutter, interval flush) and the role's pause.
import { HDR } from '../arena/layout.js';
import { STATE } from '../invariants/held-state.js';
import { COUNTER } from './counters.js';
import { isZero, sampleNs } from './dist.js';
import type { PoolOps, RoleEnv } from './pool.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

/** Steps between two seq-cst loads of the stop word (a power of two). */
const STOP_LOAD_EVERY = 64;

/** Runs `step` until the coordinator stops the run; returns the interval messages sent. */
export function runLoop(env: RoleEnv, ops: PoolOps, step: () => void): number {
  const { mem, counters, progress, progressAt } = env;
  const pause = env.plan.pause;
  const pauses = !isZero(pause);
  let epoch = Atomics.load(mem, HDR.EPOCH);
  let intervals = 0;
  counters[COUNTER.STARTED_AT] = Date.now();
  // STOP, PAUSE and EPOCH are read plain, progress is written plain: aligned Int32 words
  // never tear, every step makes calls the compiler cannot see through (the lock's, the
  // pool's) that keep the reads in the loop, and the coordinator changes those words a few
  // times a second. STOP is also loaded seq-cst every STOP_LOAD_EVERY steps. A seq-cst
  // access is a runtime call (about 9 ns here), a plain one an inlined load (bench reader-cycles).
  let steps = 0;
  while (((++steps & (STOP_LOAD_EVERY - 1)) !== 0 ? mem[HDR.STOP] : Atomics.load(mem, HDR.STOP)) === 0) {
    if (mem[HDR.PAUSE] !== 0) park(mem, ops);
    const e = mem[HDR.EPOCH]!;
    if (e !== epoch) {
      epoch = e;
      env.post({ type: 'interval', worker: env.plan.workerIndex, interval: e - 1, metrics: env.metrics.takeInterval() });
      intervals++;
    }
    step();
    counters[COUNTER.OPS]!++;
    progress[progressAt]!++;
    if (pauses) {
      const ns = sampleNs(pause, env.rng);
      if (ns > 0) Atomics.wait(mem, HDR.STOP, 0, ns / 1e6);
    }
  }
  return intervals;
}

/** The last interval message, once the loop is over (the worker's own or ended by a BUG). */
export function finishLoop(env: RoleEnv, ops: PoolOps, intervals: number): number {
  ops.setState(STATE.DONE);
  const last = Atomics.load(env.mem, HDR.EPOCH);
  env.post({ type: 'interval', worker: env.plan.workerIndex, interval: last, metrics: env.metrics.takeInterval() });
  return intervals + 1;
}

// Stutter: park holding nothing until the coordinator has audited the pool (or the run stops).
function park(mem: Int32Array, ops: PoolOps): void {
  ops.setState(STATE.PARKED);
  Atomics.add(mem, HDR.PARKED, 1);
  Atomics.notify(mem, HDR.PARKED);
  while (Atomics.load(mem, HDR.PAUSE) !== 0 && Atomics.load(mem, HDR.STOP) === 0) {
    Atomics.wait(mem, HDR.PAUSE, 1, 100);
  }
  Atomics.sub(mem, HDR.PARKED, 1);
  ops.setState(STATE.IDLE);
}
