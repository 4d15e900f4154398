// The role steps and their loop (src/roles/) on an ops table of our own: what a role does,
// counts and times is the role's, the same on any pool, and the loop's stop, stutter park
// and interval flush are the same for every pool's worker.
import { describe, expect, it } from 'vitest';
import { HDR, WORKER_COUNTERS } from '../src/arena/layout.js';
import { STATE } from '../src/invariants/held-state.js';
import { Rng } from '../src/rng.js';
import { COUNTER } from '../src/roles/counters.js';
import { playRole, roleStep } from '../src/roles/index.js';
import { runLoop } from '../src/roles/loop.js';
import type { Metrics } from '../src/roles/metrics.js';
import { MIGRATE, type PoolOps, type RoleEnv, type RolePlan } from '../src/roles/pool.js';
import type { RoleName } from '../src/roles/task.js';

const ZERO = { kind: 'fixed', a: 0, b: 0 } as const;

function plan(role: RoleName, over: Partial<RolePlan> = {}): RolePlan {
  return {
    role, roleIndex: 0, workerIndex: 0, seed: 7, stable: 10, churnFirst: 10, churnEach: 4, minSize: 32, maxSize: 64,
    hotObjects: 0, hotFraction: 0, sleepFraction: 0, hold: ZERO, timingSample: 1, sparseFraction: 0, pause: ZERO, ...over,
  };
}

function env(p: RolePlan) {
  const posted: { interval: number }[] = [];
  const recorded: number[] = [];
  const metrics = { record: (m: number) => void recorded.push(m), takeInterval: () => ({}) } as unknown as Metrics;
  const e: RoleEnv = {
    plan: p, rng: new Rng(p.seed, p.workerIndex), metrics, counters: new Float64Array(WORKER_COUNTERS),
    mem: new Int32Array(new SharedArrayBuffer(64)), progress: new Int32Array(1), progressAt: 0,
    post: (m) => void posted.push(m),
  };
  return { env: e, posted, recorded };
}

/** An ops table over a map of slots that records every call; `tweak` changes what it answers. */
function recordingOps(tweak: Partial<PoolOps> = {}) {
  const calls: string[] = [];
  const stored = new Map<number, number>();
  const ops: PoolOps = {
    readBegin: (slot) => void calls.push(`read ${slot}`),
    verify: () => (calls.push('verify'), 8),
    sleepHolding: (ns) => void calls.push(`sleep ${ns}`),
    readEnd: () => void calls.push('end'),
    has: (slot) => stored.has(slot),
    store: (slot, len) => (calls.push(`store ${slot} ${len}`), stored.set(slot, len), true),
    rewrite: (slot) => void calls.push(`rewrite ${slot}`),
    free: (slot) => void (calls.push(`free ${slot}`), stored.delete(slot)),
    kickDeferredWork: () => void calls.push('kick'),
    runDeferredWork: () => void calls.push('work'),
    compact: () => (calls.push('compact'), true),
    pageOf: (slot) => 100 + slot,
    sparsePage: () => -1,
    migrate: (pfn, _rng, outcomes) => void (calls.push(`migrate ${pfn}`), outcomes[MIGRATE.MOVED]!++),
    setState: (s) => void calls.push(`state ${s}`),
    ...tweak,
  };
  return { ops, calls, stored };
}

describe('role steps on an ops table', () => {
  it('a churner stores in its empty slots, then frees or rewrites them, and counts each', () => {
    const { env: e } = env(plan('churner', { roleIndex: 1 }));
    const { ops, calls } = recordingOps();
    const step = roleStep(e, ops);
    for (let i = 0; i < 200; i++) step();
    const slots = calls.filter((c) => !c.startsWith('kick')).map((c) => Number(c.split(' ')[1]));
    expect(new Set(slots)).toEqual(new Set([14, 15, 16, 17]));
    const stores = calls.filter((c) => c.startsWith('store')).map((c) => Number(c.split(' ')[2]));
    expect(Math.min(...stores)).toBeGreaterThanOrEqual(32);
    expect(Math.max(...stores)).toBeLessThanOrEqual(64);
    const count = (w: string) => calls.filter((c) => c.startsWith(w)).length;
    expect(count('kick')).toBe(200);
    expect([count('store'), count('free'), count('rewrite')]).toEqual([e.counters[COUNTER.MALLOCS], e.counters[COUNTER.FREES], e.counters[COUNTER.WRITES]]);
    expect(count('free')).toBeGreaterThan(0);
    expect(count('rewrite')).toBeGreaterThan(0);
  });

  it('a store the pool has no room for is a failed malloc, not a malloc', () => {
    const { env: e } = env(plan('churner'));
    const step = roleStep(e, recordingOps({ store: () => false }).ops);
    for (let i = 0; i < 20; i++) step();
    expect([e.counters[COUNTER.MALLOCS], e.counters[COUNTER.MALLOC_FAILED]]).toEqual([0, 20]);
  });

  it('a reader sleeps holding only after its bytes checked out, and checks them again after', () => {
    const hold = { kind: 'fixed', a: 5000, b: 5000 } as const;
    const { env: e, recorded } = env(plan('reader', { sleepFraction: 1, hold }));
    const { ops, calls } = recordingOps();
    roleStep(e, ops)();
    expect(calls).toEqual([expect.stringMatching(/^read \d$/), 'verify', 'sleep 5000', 'verify', 'end']);
    expect([e.counters[COUNTER.SLEEPING_READS], e.counters[COUNTER.BYTES_VERIFIED]]).toEqual([1, 16]);
    expect(recorded).toHaveLength(2); // the lock wait and the hold, every read timed

    const bad = recordingOps({ verify: () => -1 });
    const { env: e2 } = env(plan('reader', { sleepFraction: 1, hold }));
    roleStep(e2, bad.ops)();
    expect(bad.calls).toEqual([expect.stringMatching(/^read \d$/), 'end']);
    expect([e2.counters[COUNTER.SLEEPING_READS], e2.counters[COUNTER.BYTES_VERIFIED]]).toEqual([0, 0]);
  });

  it("a migrator counts each page's outcome, and leaves the pick to the pool when a hot object's page is gone", () => {
    const outcomes = [MIGRATE.MOVED, MIGRATE.REFUSED, MIGRATE.SKIPPED, MIGRATE.MOVED];
    const { env: e, recorded } = env(plan('migrator', { hotObjects: 2, hotFraction: 1 }));
    const { ops, calls } = recordingOps({
      migrate: (pfn, _rng, out) => void (calls.push(`migrate ${pfn}`), out[outcomes[calls.length % 4]!]!++),
      pageOf: (slot) => (slot === 0 ? 100 : -1),
    });
    const step = roleStep(e, ops);
    for (let i = 0; i < 40; i++) step();
    expect(new Set(calls.map((c) => Number(c.split(' ')[1])))).toEqual(new Set([100, -1]));
    const c = e.counters;
    expect([c[COUNTER.MIGRATED], c[COUNTER.MIGRATE_REFUSED], c[COUNTER.SKIPPED]]).toEqual([20, 10, 10]);
    expect(recorded).toHaveLength(30); // a skipped pick is not timed
  });

  it('a cluster of pages is one op a page, its time shared out among the pages the migration core tried', () => {
    const { env: e, recorded } = env(plan('migrator'));
    const { ops } = recordingOps({
      migrate: (_pfn, _rng, out) => void ((out[MIGRATE.MOVED] = 3), (out[MIGRATE.REFUSED] = 1), (out[MIGRATE.SKIPPED] = 2)),
    });
    roleStep(e, ops)();
    const c = e.counters;
    expect([c[COUNTER.MIGRATED], c[COUNTER.MIGRATE_REFUSED], c[COUNTER.SKIPPED], c[COUNTER.OPS]]).toEqual([3, 1, 2, 5]);
    expect(recorded).toHaveLength(1);
  });

  it('a compactor runs the deferred work, then compacts; a pass another compaction holds is not timed', () => {
    const { env: e, recorded } = env(plan('compactor'));
    let busy = false;
    const { ops, calls } = recordingOps({ compact: () => (calls.push('compact'), !busy) });
    const step = roleStep(e, ops);
    step();
    busy = true;
    step();
    expect(calls).toEqual(['work', 'compact', 'work', 'compact']);
    expect(recorded).toHaveLength(1);
  });
});

describe('the loop every role runs, on any pool', () => {
  it('stops at the stop word, flushes an interval at each epoch bump, and ends with the last', () => {
    const { env: e, posted } = env(plan('compactor'));
    const { ops, calls } = recordingOps();
    let n = 0;
    const intervals = playRole(e, {
      ...ops,
      compact: () => {
        if (++n === 3) e.mem[HDR.EPOCH] = 1;
        if (n === 5) e.mem[HDR.STOP] = 1;
        return true;
      },
    });
    expect(n).toBe(5);
    expect(e.counters[COUNTER.OPS]).toBe(5);
    expect(e.progress[0]).toBe(5);
    expect(posted.map((m) => m.interval)).toEqual([0, 1]);
    expect(intervals).toBe(2);
    expect(calls.at(-1)).toBe(`state ${STATE.DONE}`);
  });

  it('parks between two steps while the stutter lasts, then goes on', () => {
    const { env: e } = env(plan('reader'));
    const seen: string[] = [];
    const { ops } = recordingOps({
      setState: (s) => {
        seen.push(`state ${s} at step ${steps}`);
        // the coordinator's audit is done: the stutter ends
        if (s === STATE.PARKED) Atomics.store(e.mem, HDR.PAUSE, 0);
      },
    });
    let steps = 0;
    runLoop(e, ops, () => {
      if (++steps === 2) Atomics.store(e.mem, HDR.PAUSE, 1);
      if (steps === 4) Atomics.store(e.mem, HDR.STOP, 1);
    });
    expect(steps).toBe(4);
    expect(seen).toEqual([`state ${STATE.PARKED} at step 2`, `state ${STATE.IDLE} at step 2`]);
    expect(Atomics.load(e.mem, HDR.PARKED)).toBe(0);
  });
});
