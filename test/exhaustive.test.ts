import { describe, expect, it, vi } from 'vitest';
import { exploreExhaustive, type ExhaustiveResult } from '../src/explorer/exhaustive.js';
import { parseClients, describeClient } from '../src/explorer/clients.js';
import { loadExplorerLock, replay, type MemoryModel } from '../src/explorer/index.js';
import { Run } from '../src/explorer/sim.js';
import { HOLD_R, HOLD_W, Touches } from '../src/explorer/touches.js';
import { WeakMemory } from '../src/explorer/wmm/memory.js';
import { BadInputError } from '../src/errors.js';
import type { LockDesign, MemoryOrder } from '../src/locks/contract.js';
import { CATALOG, entriesOf } from '../src/locks/catalog.js';
import { cli, ROOT } from './helpers.js';
import { finalsAndRules } from './outcomes.js';
import { exhaustiveBounded, replayBounded } from '../src/explorer/bounded.js';
import { lockSpecFor } from '../src/locks/registry.js';

const lock = (name: string): LockDesign => CATALOG[name]!.design;

/** Every execution's outcome (final words, calls each thread completed) and every rule that failed. */
function outcomes(design: LockDesign, client: string, memory: MemoryModel, reduce: boolean, fork = true, cache = false, foldSpins = true) {
  return finalsAndRules(design, client, { memory, budgetMs: 60_000, reduce, fork, cache, foldSpins });
}

// Brute force: every interleaving (and under weak every read choice), no reduction.
const DIFFERENTIAL: [string, string, MemoryModel][] = [
  ['zspage-atomic-fixed', 'R/R/W', 'sc'],
  ['zspage-atomic-fixed', 'RW/RW', 'sc'],
  ['zspage-two-word', 'W/W/R', 'sc'],
  ['zspage-spinlock', 'R/W', 'sc'],
  ['busted-check-then-act', 'R/R/W', 'sc'],
  ['busted-read-unlock-clobbers', 'R/R/W', 'sc'],
  ['busted-waiting-trylock', 'RW/W', 'sc'],
  ['zspage-atomic-fixed', 'RW/W', 'weak'],
  ['zspage-two-word', 'RW/W', 'weak'],
  ['zspage-spinlock', 'R/W', 'weak'],
  ['busted-check-then-act', 'R/R/W', 'weak'],
  ['examples/weak-memory/relaxed-write-unlock.c', 'W/R', 'weak'],
  ['examples/weak-memory/two-word-no-mb.c', 'R/W', 'weak'],
  ['examples/zspage-lock.c', 'R/W', 'weak'],
  // C locks: each thread known by its current call under state caching (exhaustive.ts)
  ['examples/zspage-lock.c', 'RW/W', 'sc'],
  ['examples/broken-unlock.c', 'R/W', 'sc'],
  // a spinner in a declared loop, never let out: its failed rounds are cut while others run
  ['test/fixtures/spin-keeps-lock.mjs', 'R/R/W', 'sc'],
  ['test/fixtures/spin-keeps-lock.mjs', 'RW/R', 'weak'],
];

/** Locks whose clients above spin on a held spinlock word. */
const SPINS = ['zspage-spinlock', 'examples/zspage-lock.c'];

describe('exhaustive exploration against brute force', () => {
  for (const [name, client, memory] of DIFFERENTIAL) {
    it(`${name} ${client} --memory ${memory}: the same outcomes and rule verdicts`, async () => {
      const design = name.includes('/') ? await loadExplorerLock(name, ROOT, memory, true) : lock(name);
      const dpor = await outcomes(design, client, memory, true);
      const brute = await outcomes(design, client, memory, false);
      expect(brute.r.status).not.toBe('incomplete');
      expect(dpor.r.status).toBe(brute.r.status);
      expect(dpor.finals).toEqual(brute.finals);
      expect(dpor.rules).toEqual(brute.rules);
      expect(dpor.r.executions).toBeLessThanOrEqual(brute.r.executions);
      // state caching (the default) reaches every final state and every verdict too
      const cached = await outcomes(design, client, memory, true, true, true);
      expect(cached.r.status).toBe(brute.r.status);
      expect(cached.finals).toEqual(brute.finals);
      expect(cached.rules).toEqual(brute.rules);
      // a lock that spins: its failed spin iterations were folded (spin-fold.ts), fewer states
      if (!SPINS.includes(name) || memory !== 'sc') return;
      const unfolded = await outcomes(design, client, memory, true, true, true, false);
      expect(unfolded.finals).toEqual(brute.finals);
      expect(cached.r.states!).toBeLessThan(unfolded.r.states!);
    });
  }

  it('reduces: zspage-atomic-fixed R/R/W explores fewer than a sixth of the interleavings', async () => {
    const dpor = await exploreExhaustive(lock('zspage-atomic-fixed'), ['R', 'R', 'W'], { memory: 'sc', budgetMs: 60_000, cache: false });
    const brute = await exploreExhaustive(lock('zspage-atomic-fixed'), ['R', 'R', 'W'], { memory: 'sc', budgetMs: 60_000, reduce: false, cache: false });
    expect(dpor.status).toBe('verified');
    expect(dpor.executions * 6).toBeLessThan(brute.executions);
  });
});

// Checkpoints (checkpoint.ts) must change nothing but the time: the same executions, one by
// one, as runs that each start from the beginning; a C lock re-executes on plain snapshots.
const FORKED: [string, string, MemoryModel][] = [
  ['zspage-spinlock', 'RW/W', 'sc'],
  ['zspage-atomic-fixed', 'RW/W', 'weak'],
  ['busted-check-then-act', 'R/R/W', 'weak'],
  ['examples/zspage-lock.c', 'RW/W', 'sc'],
  ['examples/zspage-lock.c', 'R/W', 'weak'],
  ['examples/broken-unlock.c', 'R/W', 'sc'],
];

describe("loops bracketed as keeping nothing from one round to the next (LockAtomics.loop, spin-fold.ts)", () => {
  it("zspage-two-word's read lock, whose rounds write: the same outcomes as without its brackets (and brute force), fewer states", async () => {
    const design = lock('zspage-two-word');
    const unbracketed: LockDesign = { ...design, create: (atomics) => design.create(Object.assign(Object.create(atomics) as typeof atomics, { loop: undefined })) };
    for (const [client, memory, fewer] of [['R/W/W', 'sc', 1.2], ['RW/W', 'weak', 1.2], ['R/R/W', 'weak', 1.5]] as const) {
      const bracketed = await outcomes(design, client, memory, true, true, true);
      const without = await outcomes(unbracketed, client, memory, true, true, true);
      expect(bracketed.r.status).toBe('verified');
      expect(bracketed.finals).toEqual(without.finals);
      expect(bracketed.rules).toEqual(without.rules);
      expect(bracketed.r.states! * fewer).toBeLessThan(without.r.states!);
      if (client !== 'R/R/W') expect(bracketed.finals).toEqual((await outcomes(design, client, memory, false)).finals);
    }
  });

  it("zspage-two-word's RMWs whose results it does not use (ResultUse): the same outcomes as keying their results, fewer states", async () => {
    const design = lock('zspage-two-word');
    const keyed: LockDesign = {
      ...design,
      create: (atomics) => {
        const add = atomics.add.bind(atomics);
        const sub = atomics.sub.bind(atomics);
        return design.create(Object.assign(Object.create(atomics) as typeof atomics, { add: (m: Int32Array, i: number, v: number, o?: MemoryOrder) => add(m, i, v, o), sub: (m: Int32Array, i: number, v: number, o?: MemoryOrder) => sub(m, i, v, o) }));
      },
    };
    for (const [client, memory] of [['R/R/W', 'sc'], ['R/R/W', 'weak']] as const) {
      const unused = await outcomes(design, client, memory, true, true, true);
      const results = await outcomes(keyed, client, memory, true, true, true);
      expect(unused.r.status).toBe('verified');
      expect(unused.finals).toEqual(results.finals);
      expect(unused.rules).toEqual(results.rules);
      expect(unused.r.states! * 1.2).toBeLessThan(results.r.states!);
    }
  });

  it("zspage-spinlock's spin_lock(), bracketed as a loop that keeps nothing (LockAtomics.loop): the same outcomes as without (and brute force), fewer states", async () => {
    const design = lock('zspage-spinlock');
    const unbracketed: LockDesign = { ...design, create: (atomics) => design.create(Object.assign(Object.create(atomics) as typeof atomics, { loop: undefined })) };
    for (const [client, memory] of [['R/W', 'sc'], ['R/W/W', 'weak']] as const) {
      const bracketed = await outcomes(design, client, memory, true, true, true);
      const without = await outcomes(unbracketed, client, memory, true, true, true);
      expect(bracketed.r.status).toBe('verified');
      expect(bracketed.finals).toEqual(without.finals);
      expect(bracketed.rules).toEqual(without.rules);
      expect(bracketed.r.states!).toBeLessThan(without.r.states!);
      if (memory === 'sc') expect(bracketed.finals).toEqual((await outcomes(design, client, memory, false)).finals);
    }
  });

  it('a round that brings the whole state back is a cycle: livelock, with a schedule that replays it', async () => {
    const design = await loadExplorerLock('test/fixtures/retry-livelock-lock.mjs', ROOT, 'sc', true);
    const brute = await outcomes(design, 'R/R', 'sc', false);
    expect(brute.rules).toEqual(['livelock']);
    const folded = await outcomes(design, 'R/R', 'sc', true, true, true);
    expect(folded.rules).toEqual(['livelock']);
    const r = await exploreExhaustive(design, ['R', 'R'], { memory: 'sc', budgetMs: 60_000 });
    expect(r.status).toBe('failed');
    expect(r.failure!.rule).toBe('livelock');
    const again = await replay(design, r.failure!.schedule);
    expect(again.failure?.message).toBe(r.failure!.message);
  });
});

describe('read choices a weak exploration skips (WeakMemory subsumed)', () => {
  it('fewer runs than without skipping, the same outcomes (the differential above checks each client)', async () => {
    const design = await loadExplorerLock('examples/weak-memory/relaxed-write-unlock.c', ROOT, 'weak', true);
    const skipping = await outcomes(design, 'W/R/R', 'weak', true, true, true);
    const load = WeakMemory.prototype.load;
    const spy = vi.spyOn(WeakMemory.prototype, 'load').mockImplementation(function (this: WeakMemory, tid, loc, order, pick, info) {
      return load.call(this, tid, loc, order, (n) => pick(n, 0), info);
    });
    try {
      const all = await outcomes(design, 'W/R/R', 'weak', true, true, true);
      expect(skipping.r.executions + skipping.r.pruned).toBeLessThan(all.r.executions + all.r.pruned);
      expect(skipping.finals).toEqual(all.finals);
      expect(skipping.rules).toEqual(all.rules);
    } finally {
      spy.mockRestore();
    }
  });

  it('the differential test fires on a skip that drops what an older read could do', async () => {
    // every stale candidate skipped: a load reads only the newest message, as under sc
    const load = WeakMemory.prototype.load;
    const spy = vi.spyOn(WeakMemory.prototype, 'load').mockImplementation(function (this: WeakMemory, tid, loc, order, pick, info) {
      return load.call(this, tid, loc, order, (n) => pick(n, ((1 << n) - 1) & ~1), info);
    });
    try {
      const design = await loadExplorerLock('examples/weak-memory/two-word-no-mb.c', ROOT, 'weak', true);
      const reduced = await outcomes(design, 'R/W', 'weak', true, true, true);
      const brute = await outcomes(design, 'R/W', 'weak', false);
      expect(brute.rules).not.toEqual([]);
      expect(reduced.rules).not.toEqual(brute.rules);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('exhaustive exploration from checkpoints against runs from the start', () => {
  for (const [name, client, memory] of FORKED) {
    it(`${name} ${client} --memory ${memory}: the same executions, outcomes and verdicts`, async () => {
      const design = name.includes('/') ? await loadExplorerLock(name, ROOT, memory, true) : lock(name);
      const seen: string[][] = [[], []];
      const each = (i: number) => (run: Run) => void seen[i]!.push(`${run.schedule.join('')}:${run.weak?.choices.join('') ?? ''}:${run.failure?.rule ?? [...run.mem].join(',')}`);
      const forked = await exploreExhaustive(design, client.split('/'), { memory, budgetMs: 60_000, keepGoing: true, cache: false, onRun: each(0) });
      const fresh = await exploreExhaustive(design, client.split('/'), { memory, budgetMs: 60_000, keepGoing: true, fork: false, onRun: each(1) });
      expect(fresh.status).not.toBe('incomplete');
      expect({ ...forked, elapsedMs: 0 }).toEqual({ ...fresh, elapsedMs: 0 });
      expect(seen[0]).toEqual(seen[1]);
    });
  }
});

describe('what a step touches (the dependency DPOR reduces by)', () => {
  it('a reader: its load reads the word, its cmpxchg writes it, its return counts readers and reads the writer', () => {
    const run = new Run(lock('zspage-atomic-fixed'), ['R'], false);
    run.touches = new Touches();
    run.run(() => 0);
    const [load, cas] = run.touches.steps;
    expect(load).toMatchObject({ read: 1, write: 0 });
    expect(cas!.write & 1).toBe(1);
    expect(cas!.count).toBe(HOLD_R); // readLock returned in the cmpxchg's step
    expect(cas!.read & HOLD_W).toBe(HOLD_W);
  });

  it('the differential test fires on a dependency that misses writes', async () => {
    // every op taken for a load: DPOR then thinks the threads independent and runs too few
    const op = Touches.prototype.op;
    const spies = [
      vi.spyOn(Touches.prototype, 'op').mockImplementation(function (this: Touches, _name, rel, order, all) {
        op.call(this, 'load', rel, order, all);
      }),
      vi.spyOn(Touches.prototype, 'write').mockImplementation(() => {}),
    ];
    try {
      const dpor = await outcomes(lock('busted-check-then-act'), 'R/R/W', 'sc', true);
      const brute = await outcomes(lock('busted-check-then-act'), 'R/R/W', 'sc', false);
      expect(dpor.finals.length + dpor.rules.length).toBeLessThan(brute.finals.length + brute.rules.length);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });
});

describe('exhaustive exploration: verdicts', () => {
  it('a budget that runs out is incomplete, never verified', async () => {
    const r: ExhaustiveResult = await exploreExhaustive(lock('zspage-atomic-fixed'), ['RR', 'RR', 'WW'], { memory: 'sc', budgetMs: 60_000, maxRuns: 50 });
    expect(r.status).toBe('incomplete');
    expect(r.executions + r.pruned).toBe(50);
  });

  for (const [name, b] of entriesOf('busted')) {
    if (b.explorer.expect === null) continue; // a bug only a stress run shows (as the explorer tests)
    it(`${name} fails exhaustive exploration of R/R/W, and its schedule replays the same failure`, async () => {
      const r = await exploreExhaustive(b.design, ['R', 'R', 'W'], { memory: 'sc', budgetMs: 60_000 });
      expect(r.status).toBe('failed');
      expect([b.explorer.expect, ...(b.explorer.alsoSeen ?? [])]).toContain(r.failure!.rule);
      const again = await replay(b.design, r.failure!.schedule);
      expect(again.failure?.rule).toBe(r.failure!.rule);
      expect(again.failure?.message).toBe(r.failure!.message);
    });
  }

  // Broken example and fixture files (JS and C), under sc, and those only a weak model breaks under weak.
  const BROKEN_FILES: [string, string, MemoryModel][] = [
    ...['examples/broken-atomic-lock.mjs', 'examples/broken-unlock.c', 'examples/broken-add-unless.c', 'test/fixtures/classic-bug-lock.mjs', 'test/fixtures/retry-livelock-lock.mjs'].map(
      (f): [string, string, MemoryModel] => [f, 'R/R/W', 'sc'],
    ),
    ...['atomic64-relaxed-unlock', 'bit-lock-no-mb', 'relaxed-read-lock', 'relaxed-trylock', 'relaxed-write-unlock', 'spinlock-plain-fast-path', 'two-word-no-mb', 'void-dec-read-unlock'].map(
      (f): [string, string, MemoryModel] => [`examples/weak-memory/${f}.c`, 'R/W', 'weak'],
    ),
    ...entriesOf('weak')
      .filter(([, e]) => e.weak !== null)
      .map(([name]): [string, string, MemoryModel] => [name, 'R/W', 'weak']),
  ];
  for (const [ref, client, memory] of BROKEN_FILES) {
    it(`${ref} fails exhaustive exploration of ${client} under ${memory}, and its schedule replays the same failure`, async () => {
      const design = ref.includes('/') ? await loadExplorerLock(ref, ROOT, memory, true) : lock(ref);
      const r = await exploreExhaustive(design, client.split('/'), { memory, budgetMs: 60_000 });
      expect(r.status).toBe('failed');
      const again = await replay(design, r.failure!.schedule, memory);
      expect(again.failure?.rule).toBe(r.failure!.rule);
      expect(again.failure?.message).toBe(r.failure!.message);
    });
  }

  it('clients: parsed, described, and bad ones refused', () => {
    expect(parseClients('RR/RR/WW,R/W')).toEqual([['RR', 'RR', 'WW'], ['R', 'W']]);
    expect(describeClient(['RR', 'RR', 'WW'])).toBe('2R+1W x 2 sections (RR/RR/WW)');
    expect(describeClient(['RW', 'W'])).toBe('RW/W');
    expect(() => parseClients('RR/RX')).toThrow(BadInputError);
  });
});

describe('exhaustive exploration in a worker', () => {
  it('a lock call that loops on plain memory fails with livelock and a schedule that replays the hang', async () => {
    const spec = lockSpecFor(`${ROOT}/test/fixtures/plain-spin-trylock.mjs`);
    const r = await exhaustiveBounded(spec, ['R', 'W'], 'sc', 60_000, 1000);
    expect(r.status).toBe('failed');
    expect(r.failure?.rule).toBe('livelock');
    expect(r.failure?.message).toMatch(/^T1 did not finish its step within 1 s/);
    const again = await replayBounded(spec, r.failure!.schedule, 'sc', 1000);
    expect(again.failure?.message).toBe(r.failure?.message);
  });

  it('a correct lock: the same verdict and counts as in-process', async () => {
    const r = await exhaustiveBounded(lockSpecFor('zspage-atomic-fixed'), ['R', 'R', 'W'], 'sc', 60_000);
    const here = await exploreExhaustive(lock('zspage-atomic-fixed'), ['R', 'R', 'W'], { memory: 'sc', budgetMs: 60_000 });
    expect(r.status).toBe('verified');
    expect(r.executions).toBe(here.executions);
  });
});

describe('explore --exhaustive (CLI)', () => {
  it('verifies a correct lock, with its counts', () => {
    const r = cli(['explore', '--lock', 'zspage-atomic-fixed', '--exhaustive', '--clients', 'R/R/W,RW/W'], { out: false });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verified 2R\+1W x 1 section \(R\/R\/W\) under sc: [\d,]+ executions \([\d,]+ pruned/);
    expect(r.stdout).toMatch(/verified RW\/W under sc/);
  });

  it('verifies with DPOR in place of state caching when asked: executions, no states', () => {
    const r = cli(['explore', '--lock', 'zspage-atomic-fixed', '--exhaustive', '--clients', 'R/W/W', '--memory', 'weak', '--reduction', 'dpor'], { out: false });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verified 1R\+2W x 1 section \(R\/W\/W\) under weak: [\d,]+ executions \([\d,]+ pruned, [\d,]+ with an await\) in [\d.]+ s \([\d,]+\/s\)$/m);
    const states = cli(['explore', '--lock', 'zspage-atomic-fixed', '--exhaustive', '--clients', 'R/W/W', '--memory', 'weak'], { out: false });
    expect(states.stdout).toMatch(/under weak: .* [\d,]+ states \([\d,]+\/s\)$/m);
    const bad = cli(['explore', '--lock', 'zspage-atomic-fixed', '--exhaustive', '--reduction', 'bogus'], { out: false });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/Argument: reduction, Given: "bogus", Choices: "states", "dpor"/)]);
  });

  it('fails a broken lock with a replay that reproduces it', () => {
    const r = cli(['explore', '--lock', 'busted-check-then-act', '--exhaustive', '--clients', 'R/R/W'], { out: false });
    expect(r.code).toBe(1);
    const schedule = /--replay '([^']+)'/.exec(r.stdout)![1]!;
    const again = cli(['explore', '--lock', 'busted-check-then-act', '--replay', schedule], { out: false });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/FAIL exclusion/);
  });

  it('says incomplete, not verified, when the budget runs out', () => {
    const r = cli(['explore', '--lock', 'zspage-atomic-fixed', '--exhaustive', '--budget', '0.2'], { out: false });
    expect(r.stdout).toMatch(/incomplete, not verified: 2R\+1W x 2 sections/);
    expect(r.stdout).not.toMatch(/: verified/);
  });

  it('refuses a bad client or --replay with exit 2 and one line', () => {
    const r = cli(['explore', '--lock', 'zspage-atomic-fixed', '--exhaustive', '--clients', 'RR/XX'], { out: false });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--clients: 'RR\/XX'/);
    const both = cli(['explore', '--lock', 'zspage-atomic-fixed', '--exhaustive', '--replay', 'R@0'], { out: false });
    expect(both.code).toBe(2);
  });
});
