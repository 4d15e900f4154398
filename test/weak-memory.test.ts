import { describe, expect, it } from 'vitest';
import { BadInputError } from '../src/errors.js';
import { declaresOrderings, explore, formatSchedule, formatTrace, parseSchedule, replay, type ExploreOptions } from '../src/explorer/index.js';
import { HISTORY, NEWEST, WeakMemory } from '../src/explorer/wmm/memory.js';
import { CATALOG, entriesOf } from '../src/locks/catalog.js';
import { cli } from './helpers.js';

const at = (step: number) => ({ step, what: `op #${step}` });
const older = (k: number) => () => k;

describe('LK-RA model', () => {
  it('a relaxed load may read an older store; a release/acquire pair makes it see the data', () => {
    for (const [storeOrder, loadOrder, stale] of [
      ['relaxed', 'relaxed', true],
      ['release', 'relaxed', true],
      ['relaxed', 'acquire', true],
      ['release', 'acquire', false],
    ] as const) {
      const m = new WeakMemory([0, 0], 2); // x, y
      m.store(0, 0, 1, 'relaxed', at(0)); // x = 1
      m.store(0, 1, 1, storeOrder, at(1)); // y = 1
      expect(m.load(1, 1, loadOrder, NEWEST, at(2)).val).toBe(1);
      expect(m.candidates(1, 0)).toBe(stale ? 2 : 1); // may x still read 0?
    }
  });

  it('coherence: once a thread read a store, it never reads an older one', () => {
    const m = new WeakMemory([0], 2);
    m.store(0, 0, 1, 'relaxed', at(0));
    m.store(0, 0, 2, 'relaxed', at(1));
    expect(m.candidates(1, 0)).toBe(3);
    expect(m.load(1, 0, 'relaxed', older(1), at(2)).val).toBe(1);
    expect(m.candidates(1, 0)).toBe(2);
    expect(() => m.load(1, 0, 'relaxed', older(2), at(3))).toThrow(RangeError);
  });

  it('a release fence before a relaxed store pairs with an acquire fence after a relaxed load', () => {
    for (const fenced of [true, false]) {
      const m = new WeakMemory([0, 0], 2);
      m.store(0, 0, 1, 'relaxed', at(0));
      if (fenced) m.fence(0, 'release'); // smp_wmb()
      m.store(0, 1, 1, 'relaxed', at(1));
      m.load(1, 1, 'relaxed', NEWEST, at(2));
      m.fence(1, 'acquire'); // smp_rmb()
      expect(m.candidates(1, 0)).toBe(fenced ? 1 : 2);
    }
  });

  it('release sequences run through RMWs: acquiring an RMW of a released value synchronizes with the release', () => {
    const m = new WeakMemory([0, 0], 3);
    m.store(0, 0, 1, 'relaxed', at(0));
    m.store(0, 1, 1, 'release', at(1));
    m.rmw(1, 1, (v) => v + 1, 'relaxed', 'relaxed', at(2)); // atomic_inc()
    expect(m.load(2, 1, 'acquire', NEWEST, at(3)).val).toBe(2);
    expect(m.candidates(2, 0)).toBe(1);
  });

  it('smp_mb() orders a store before a later load (store buffering forbidden)', () => {
    const m = new WeakMemory([0, 0], 2);
    m.store(0, 0, 1, 'relaxed', at(0));
    m.fence(0, 'seq_cst');
    m.store(1, 1, 1, 'relaxed', at(1));
    m.fence(1, 'seq_cst');
    expect(m.candidates(1, 0)).toBe(1); // the later mb sees the earlier one's store
  });

  it('a load need not read a store that an older one of the same value, with no view ahead of it, subsumes', () => {
    const skips: number[] = [];
    const seen = (_n: number, skip: number) => (skips.push(skip), 0);
    const stores = (m: WeakMemory) => {
      m.store(0, 1, 1, 'relaxed', at(0)); // data = 1
      m.store(0, 0, 0, 'release', at(1)); // lock = 0, releasing data = 1
      m.store(0, 0, 0, 'relaxed', at(2)); // lock = 0 with no view: the release before it does not subsume it
      m.store(0, 0, 0, 'relaxed', at(3)); // subsumed by the one before
    };
    const m = new WeakMemory([5, 0], 3); // lock, data
    stores(m);
    m.store(0, 0, 2, 'relaxed', at(4));
    m.load(1, 0, 'acquire', seen, at(5)); // candidates, newest first: 2, 0, 0, 0 (release), 5
    expect(skips).toEqual([0b00010]);
    // a cmpxchg's newest message, when it matches, is no load: it is never skipped
    const c = new WeakMemory([5, 0], 3);
    stores(c);
    c.cas(1, 0, 0, 1, 'acquire', 'relaxed', seen, at(4)); // 0 (matches), 0 (release), 5: the others match
    c.cas(2, 0, 7, 8, 'acquire', 'relaxed', seen, at(5)); // nothing matches 7: 1, 0, 0, 0 (release), 5
    expect(skips.slice(1)).toEqual([0, 0b00010]);
  });

  it(`keeps at most ${HISTORY} candidates per location`, () => {
    const m = new WeakMemory([0], 2);
    for (let i = 1; i <= 20; i++) m.store(0, 0, i, 'relaxed', at(i));
    expect(m.candidates(1, 0)).toBe(HISTORY);
  });

  it('data races: plain accesses ordered by release/acquire are quiet, unordered ones are reported with why', () => {
    const quiet = new WeakMemory([0, 0], 2);
    quiet.plainStore(0, 0, 1, at(0));
    quiet.store(0, 1, 1, 'release', at(1));
    quiet.load(1, 1, 'acquire', NEWEST, at(2));
    quiet.plainLoad(1, 0, at(3));
    expect(quiet.race).toBeNull();

    const racy = new WeakMemory([0, 0], 2);
    racy.plainStore(0, 0, 1, at(0));
    racy.store(0, 1, 1, 'relaxed', at(1));
    racy.load(1, 1, 'acquire', NEWEST, at(2));
    racy.plainLoad(1, 0, at(3));
    expect(racy.race).not.toBeNull();
    expect(racy.race!.other).toMatchObject({ tid: 0, step: 0, plain: true, write: true });
    expect(racy.race!.why).toMatch(/read T0's op #1 at #1 \(relaxed\), which releases nothing/);
  });
});

describe('schedule strings with read choices', () => {
  it('round-trip; a choice is written <thread>.<k>', () => {
    const s = formatSchedule(['RW', 'WR'], [0, 0, 0, 1, 1, 0], [0, 0, 0, 2]);
    expect(s).toBe('RW/WR@0x3,1.2,1,0');
    expect(parseSchedule(s)).toEqual({ programs: ['RW', 'WR'], steps: [0, 0, 0, 1, 1, 0], choices: [, , , 2] });
  });
});

const SMALL: ExploreOptions = { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 1000, seed: 1 };

describe('explore --memory weak on locks that use only SC operations gives exactly the sc results', () => {
  const scOnly = entriesOf('kernel', 'busted').filter(([, l]) => !declaresOrderings(l.design));
  it('there are such locks, and the ported ones declare orderings', () => {
    expect(scOnly.length).toBeGreaterThan(5);
    expect(declaresOrderings(CATALOG['zspage-spinlock']!.design)).toBe(true);
  });
  for (const [name, l] of scOnly) {
    it(name, async () => {
      for (const strategy of ['random', 'pct'] as const) {
        const sc = await explore(l.design, { ...SMALL, strategy });
        const weak = await explore(l.design, { ...SMALL, strategy, memory: 'weak' });
        expect(weak.iterations).toBe(sc.iterations);
        expect(weak.failure && { ...weak.failure, trace: undefined }).toEqual(sc.failure && { ...sc.failure, trace: undefined });
      }
    });
  }
});

describe('weak-memory lock variants: caught by explore --memory weak, passing --memory sc', () => {
  for (const [name, l] of entriesOf('weak')) {
    if (l.weak === null) {
      it(`${name} passes 3000 weak iterations (random and pct)`, async () => {
        for (const strategy of ['random', 'pct'] as const) {
          const r = await explore(l.design, { ...SMALL, strategy, iterations: 3000, memory: 'weak', staleDepth: 2 });
          expect(r.failure).toBeNull();
        }
      });
      continue;
    }
    it(`${name}: ${l.weak} within 10,000 weak iterations (random, and pct with stale depth 2), replayable; sc passes`, async () => {
      const sc = await explore(l.design, { ...SMALL, iterations: 2000 });
      expect(sc.failure).toBeNull();
      for (const strategy of ['random', 'pct'] as const) {
        const r = await explore(l.design, { ...SMALL, strategy, iterations: 10_000, memory: 'weak', staleDepth: 2 });
        expect(r.failure).not.toBeNull();
        // the two-word bug shows as two sections inside together, or as a data race between them
        const rules = l.weak === 'exclusion' ? ['exclusion', 'data-race'] : [l.weak];
        expect(rules).toContain(r.failure!.rule);
        const again = await replay(l.design, r.failure!.schedule, 'weak');
        expect(again.failure).toMatchObject({ rule: r.failure!.rule, message: r.failure!.message, schedule: r.failure!.schedule });
        expect(again.trace).toEqual(r.failure!.trace);
      }
    });
  }

  for (const name of ['zspage-atomic-fixed', 'zspage-spinlock']) {
    // 3000 random iterations of seed 1 include a reader whose CAS loop reads older values
    // twice: taken for spinning, that once failed reader-waited
    it(`the built-in ${name}, ported with its orderings, passes 3000 weak iterations (random and pct)`, async () => {
      for (const strategy of ['random', 'pct'] as const) {
        const r = await explore(CATALOG[name]!.design, { ...SMALL, strategy, iterations: 3000, memory: 'weak', staleDepth: 2 });
        expect(r.failure).toBeNull();
      }
    });
  }

  it('a data race names the relaxed operation that should have released', async () => {
    const r = await explore(CATALOG['busted-relaxed-write-unlock']!.design, { ...SMALL, threads: 2, ops: 2, memory: 'weak' });
    expect(r.failure!.message).toMatch(/payload word \d: T\d's plain (load|store) .* races with T\d's plain (load|store)/);
    expect(r.failure!.message).toMatch(/read T\d's writeUnlock store\[0\] at #\d+ \(relaxed\), which releases nothing/);
    expect(formatTrace(r.failure!.trace)).toMatch(/store\[0\]\(0\) relaxed/);
  });

  it('replaying a schedule with read choices needs --memory weak; a choice past the candidates is bad input', async () => {
    const design = CATALOG['busted-two-word-no-mb']!.design;
    const r = await explore(design, { ...SMALL, memory: 'weak', iterations: 10_000 });
    const schedule = r.failure!.schedule;
    expect(schedule).toMatch(/\d\.\d/);
    await expect(replay(design, schedule)).rejects.toThrow(/read choice .* replay it with --memory weak/);
    const tooFar = schedule.replace(/(\d)\.(\d+)/, (_m, t) => `${t}.9`);
    await expect(replay(design, tooFar, 'weak')).rejects.toThrow(BadInputError);
  });

  it('the CLI prints a replay line with --memory weak, and the replay fails the same way', () => {
    const r = cli(['explore', '--lock', 'busted-void-dec-read-unlock', '--memory', 'weak', '--iterations', '2000'], { out: false });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL data-race/);
    const line = /replay with: zspage-stress (explore .*--memory weak --replay) '([^']+)'/.exec(r.stdout);
    expect(line).not.toBeNull();
    const again = cli(['explore', '--lock', 'busted-void-dec-read-unlock', '--memory', 'weak', '--replay', line![2]!], { out: false });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/FAIL data-race/);
  });
});
