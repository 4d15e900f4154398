import { describe, expect, it } from 'vitest';
import { BadInputError } from '../src/errors.js';
import {
  explore,
  formatSchedule,
  formatTrace,
  loadExplorerLock,
  parseSchedule,
  replay,
  type ExploreOptions,
  type ExploreResult,
} from '../src/explorer/index.js';
import type { LockDesign } from '../src/locks/contract.js';
import { CATALOG, entriesOf } from '../src/locks/catalog.js';

const SMALL: ExploreOptions = { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 2000, seed: 1 };
const builtin = (name: string): LockDesign => CATALOG[name]!.design;

/** replay() of a failure's schedule must give the same failure and an identical trace. */
async function expectReplays(design: LockDesign, result: ExploreResult): Promise<void> {
  const f = result.failure!;
  const again = await replay(design, f.schedule);
  expect(again.failure).not.toBeNull();
  expect(again.failure!.rule).toBe(f.rule);
  expect(again.failure!.message).toBe(f.message);
  expect(again.failure!.schedule).toBe(f.schedule);
  expect(again.trace).toEqual(f.trace);
  expect(f.trace.length).toBeGreaterThan(0);
}

describe('explorer on the built-in locks', () => {
  for (const name of ['zspage-atomic-fixed', 'zspage-spinlock']) {
    for (const strategy of ['random', 'pct'] as const) {
      it(`${name} passes ${SMALL.iterations} ${strategy} iterations`, async () => {
        const r = await explore(builtin(name), { ...SMALL, strategy });
        expect(r.failure).toBeNull();
        expect(r.iterations).toBe(SMALL.iterations);
        expect(r.iterationsPerSecond).toBeGreaterThan(0);
        expect(r.lock).toBe(name);
      });
    }
  }

  for (const strategy of ['random', 'pct'] as const) {
    it(`rwlock fails with trylock-waited (${strategy}): its write lock spins until readers leave`, async () => {
      const r = await explore(builtin('rwlock'), { ...SMALL, strategy });
      expect(r.failure?.rule).toBe('trylock-waited');
      expect(r.iterations).toBeLessThan(SMALL.iterations);
      await expectReplays(builtin('rwlock'), r);
    });

    it(`rwsem fails with sleeps (${strategy}): its readLock waits while a writer holds`, async () => {
      const r = await explore(builtin('rwsem'), { ...SMALL, strategy });
      expect(r.failure?.rule).toBe('sleeps');
      expect(r.failure?.message).toMatch(/readLock calls atomics\.wait/);
      await expectReplays(builtin('rwsem'), r);
    });
  }
});

describe('explorer on the busted locks', () => {
  for (const [name, b] of entriesOf('busted')) {
    if (b.explorer.expect === null) {
      it(`${name}: invisible to the explorer (as documented)`, async () => {
        const r = await explore(b.design, SMALL);
        expect(r.failure).toBeNull();
      });
      continue;
    }
    it(`${name} fails with ${b.explorer.expect}, and its schedule replays exactly`, async () => {
      const r = await explore(b.design, SMALL);
      expect(r.failure?.rule, r.failure?.message).toBe(b.explorer.expect);
      await expectReplays(b.design, r);
    });
  }

  it('loadExplorerLock finds busted and built-in locks by name', async () => {
    expect((await loadExplorerLock('busted-check-then-act')).name).toBe('busted-check-then-act');
    expect((await loadExplorerLock('zspage-atomic-fixed')).name).toBe('zspage-atomic-fixed');
    await expect(loadExplorerLock('no-such-lock')).rejects.toThrow(BadInputError);
  });
});

describe('determinism and strategies', () => {
  it('the same seed gives the same result; another seed another schedule', async () => {
    const lock = CATALOG['busted-read-unlock-clobbers']!.design;
    const a = await explore(lock, { ...SMALL, seed: 7 });
    const b = await explore(lock, { ...SMALL, seed: 7 });
    expect(a.failure).not.toBeNull();
    expect(b.iterations).toBe(a.iterations);
    expect(b.failure).toEqual(a.failure);
    const c = await explore(lock, { ...SMALL, seed: 8 });
    expect(c.failure?.schedule).not.toBe(a.failure!.schedule);
  });

  it('PCT finds a depth-2 bug (a writer that ignores a holding reader), and depth 1 cannot', async () => {
    // The bug needs two orderings: readLock before writeTrylock, writeTrylock before readUnlock.
    const lock = CATALOG['busted-writer-ignores-readers']!.design;
    const d1 = await explore(lock, { ...SMALL, strategy: 'pct', depth: 1, iterations: 500 });
    expect(d1.failure).toBeNull(); // depth 1: threads run one after another, no preemption
    for (const seed of [1, 2, 3, 4]) {
      const d2 = await explore(lock, { ...SMALL, strategy: 'pct', depth: 2, seed });
      // PCT's bound: p >= 1/(n k^(d-1)) = 1/(3 k) per run, k ~ 50 steps here
      expect(d2.failure?.rule).toBe('exclusion');
      expect(d2.iterations).toBeLessThan(150);
    }
  });

  it('check-then-act is depth 3 for PCT: one preemption inside the race, one while holding', async () => {
    const lock = CATALOG['busted-check-then-act']!.design;
    const r = await explore(lock, { ...SMALL, strategy: 'pct', depth: 3 });
    // Its race shows as both inside (exclusion) or as a lost count (the lock never released).
    expect(['exclusion', 'not-released', 'livelock']).toContain(r.failure?.rule);
  });

  it('rejects bad options', async () => {
    await expect(explore(builtin('zspage-atomic-fixed'), { ...SMALL, threads: 0 })).rejects.toThrow(BadInputError);
    await expect(explore(builtin('zspage-atomic-fixed'), { ...SMALL, strategy: 'dfs' as 'pct' })).rejects.toThrow(/strategy/);
  });
});

describe('schedule strings', () => {
  it('round-trip, with runs of one thread as <thread>x<count>', () => {
    const text = formatSchedule(['RW', 'WR', 'RR'], [0, 0, 0, 1, 2, 2, 0]);
    expect(text).toBe('RW/WR/RR@0x3,1,2x2,0');
    expect(parseSchedule(text)).toEqual({ programs: ['RW', 'WR', 'RR'], steps: [0, 0, 0, 1, 2, 2, 0], choices: [] });
  });

  it('bad schedules are bad input', async () => {
    expect(() => parseSchedule('RX@0')).toThrow(BadInputError);
    expect(() => parseSchedule('RW/WR')).toThrow(/'@'/);
    expect(() => parseSchedule('RW@3')).toThrow(/out of range/);
    const lock = builtin('zspage-atomic-fixed');
    await expect(replay(lock, 'R@0')).rejects.toThrow(/ends after 1 steps/); // readLock alone is 2 steps
    await expect(replay(lock, 'R@0x9')).rejects.toThrow(/after the run ended/);
  });

  it('formatTrace shows thread, call, op, result, words and return values', async () => {
    const { failure, trace } = await replay(builtin('zspage-atomic-fixed'), 'R@0x3');
    expect(failure).toBeNull();
    const text = formatTrace(trace);
    // a call's first step names the kernel caller it models
    expect(text.split('\n')[0]).toMatch(/^#0 +T0 +readLock +load\[0\]\(\) -> 0 +\[0\] +\{from zs_obj_read_begin, holding pool->lock \(read\)\}$/);
    expect(text).toMatch(/T0 +readLock +compareExchange\[0\]\(0, 1\) -> 0 +\[1\] +=> returns/);
    expect(text).toMatch(/check +writeTrylock +compareExchange\[0\]\(0, -1\) -> 0 +\[-1\] +=> true/);
  });
});

describe('explorer checks on small hand-made locks', () => {
  /** zspage-atomic-fixed with one op replaced. */
  const variant = (name: string, ops: Partial<ReturnType<LockDesign['create']>>, words = 1): LockDesign => ({
    name,
    words,
    create: (a) => ({ ...builtin('zspage-atomic-fixed').create(a), ...ops }),
  });

  it('not-released: a readUnlock that never decrements', async () => {
    const lock = variant('leaky-reader', { readUnlock() {} });
    const r = await explore(lock, SMALL);
    expect(r.failure?.rule).toBe('not-released');
    expect(r.failure!.trace.some((s) => s.checker)).toBe(true);
    await expectReplays(lock, r);
  });

  it('closure state is exact under re-execution: every 2nd readUnlock forgets, per ops table', async () => {
    const lock: LockDesign = {
      name: 'forget-every-2nd',
      words: 1,
      create(a) {
        const inner = builtin('zspage-atomic-fixed').create(a);
        let n = 0;
        return { ...inner, readUnlock: (m, at) => (++n % 2 === 0 ? undefined : inner.readUnlock(m, at)) };
      },
    };
    expect((await replay(lock, 'R@0x3')).failure).toBeNull();
    // R R: load, cas, sub | load, cas, (forgotten: no op) = 6 steps
    const twice = await replay(lock, 'RR@0x6');
    expect(twice.failure?.rule).toBe('not-released');
    expect(twice.trace[5]).toMatchObject({ call: 'readUnlock', op: null, returned: null });
  });

  it('readers may sleep in readUnlock (a timed wait): no failure', async () => {
    const lock: LockDesign = {
      name: 'napping-unlock',
      words: 2,
      create: (a) => ({
        ...builtin('zspage-atomic-fixed').create(a),
        readUnlock(m, at) {
          a.sub(m, at, 1);
          a.wait(m, at + 1, 0, 1); // word 1 stays 0: a real 1 ms sleep, allowed for a reader
        },
      }),
    };
    const r = await explore(lock, { ...SMALL, iterations: 300 });
    expect(r.failure).toBeNull();
    const { trace } = await replay(lock, 'R@0x5'); // load, cas | sub, wait (sleeps), wakes timed out
    expect(trace.map((s) => s.result)).toEqual([0, 0, 1, 'sleeps', 'timed-out', 0]);
  });

  it('livelock: a sleep nobody will end is reported, not hung on', async () => {
    const lock: LockDesign = {
      name: 'sleepy-unlock',
      words: 2,
      create: (a) => ({
        ...builtin('zspage-atomic-fixed').create(a),
        readUnlock(m, at) {
          a.sub(m, at, 1);
          a.wait(m, at + 1, 0); // no timeout, and nobody ever notifies
        },
      }),
    };
    const r = await replay(lock, 'R@0x4'); // load, cas | sub, wait: asleep for good
    expect(r.failure?.rule).toBe('livelock');
    expect(r.failure?.message).toMatch(/deadlock/);
  });

  it('livelock: readers spinning on a lock nobody will release', async () => {
    const lock = variant('unlock-noop', { writeUnlock() {} });
    const r = await explore(lock, SMALL);
    expect(r.failure?.rule).toBe('livelock');
    expect(r.failure?.message).toMatch(/spin, and none changed a lock word/);
    await expectReplays(lock, r);
  });

  it('trylock-waited also catches a trylock that keeps going without spinning', async () => {
    const lock = variant('busy-trylock', {});
    lock.create = (a) => ({
      ...builtin('zspage-atomic-fixed').create(a),
      writeTrylock(m, at) {
        for (;;) a.store(m, at, a.load(m, at) === 0 ? 1 : 0); // changes memory: never looks stuck
      },
    });
    const r = await explore(lock, { ...SMALL, threads: 1, ops: 2, iterations: 50 });
    expect(r.failure?.rule).toBe('trylock-waited');
    expect(r.failure?.message).toMatch(/did not return within \d+ atomic ops/);
  });
});
