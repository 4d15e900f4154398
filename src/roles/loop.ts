// The loop every role runs: one model operation per turn, and between turns the
// coordinator's signals (stop, stutter, interval flush) and the role's pause.
import { HDR, WRK } from '../arena/layout.js';
import { STATE } from '../invariants/held-state.js';
import type { Distribution } from '../scenario/schema.js';
import type { RoleContext } from './context.js';
import { COUNTER } from './counters.js';
import { isZero, sampleNs } from './dist.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

/** Steps between two seq-cst loads of the stop word (a power of two). */
const STOP_LOAD_EVERY = 64;

/** Runs `step` until the coordinator stops the run; returns the interval messages sent. */
export function runLoop(ctx: RoleContext, step: () => void, pause: Distribution): number {
  const { mem, counters } = ctx;
  const progress = ctx.line + WRK.PROGRESS;
  const pauses = !isZero(pause);
  let epoch = Atomics.load(mem, HDR.EPOCH);
  let intervals = 0;
  counters[COUNTER.STARTED_AT] = Date.now();
  // STOP, PAUSE and EPOCH are read plain, progress is written plain: aligned Int32 words
  // never tear, every step makes seq-cst calls (the lock's, the shadow's) that keep the reads
  // in the loop, and the coordinator changes those words a few times a second. STOP is also
  // loaded seq-cst every STOP_LOAD_EVERY steps. A seq-cst access is a runtime call (about
  // 9 ns here), a plain one an inlined load (bench reader-cycles).
  let steps = 0;
  while (((++steps & (STOP_LOAD_EVERY - 1)) !== 0 ? mem[HDR.STOP] : Atomics.load(mem, HDR.STOP)) === 0) {
    if (mem[HDR.PAUSE] !== 0) park(ctx);
    const e = mem[HDR.EPOCH]!;
    if (e !== epoch) {
      epoch = e;
      ctx.post({ type: 'interval', worker: ctx.task.workerIndex, interval: e - 1, metrics: ctx.metrics.takeInterval() });
      intervals++;
    }
    step();
    counters[COUNTER.OPS]!++;
    mem[progress]!++;
    if (pauses) {
      const ns = sampleNs(pause, ctx.rng);
      if (ns > 0) Atomics.wait(mem, HDR.STOP, 0, ns / 1e6);
    }
  }
  ctx.held.set(STATE.DONE, -1);
  const last = Atomics.load(mem, HDR.EPOCH);
  ctx.post({ type: 'interval', worker: ctx.task.workerIndex, interval: last, metrics: ctx.metrics.takeInterval() });
  return intervals + 1;
}

// Stutter: park holding nothing until the coordinator has audited the pool.
function park(ctx: RoleContext): void {
  const { mem } = ctx;
  ctx.held.set(STATE.PARKED, -1);
  Atomics.add(mem, HDR.PARKED, 1);
  Atomics.notify(mem, HDR.PARKED);
  while (Atomics.load(mem, HDR.PAUSE) !== 0 && Atomics.load(mem, HDR.STOP) === 0) {
    Atomics.wait(mem, HDR.PAUSE, 1, 100);
  }
  Atomics.sub(mem, HDR.PARKED, 1);
  ctx.held.set(STATE.IDLE, -1);
}
