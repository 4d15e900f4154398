// Lock modules written against the global Atomics are checked as strictly as ones that use
// the atomics they are given: in role workers, in the coordinator's audit and in the explorer.
import { describe, expect, it } from 'vitest';
import { LockAuditor } from '../src/coordinator/lock-auditor.js';
import { exploreBounded, replayBounded } from '../src/explorer/bounded.js';
import { explore, loadExplorerLock, type ExploreOptions } from '../src/explorer/index.js';
import { auditPool } from '../src/invariants/audit.js';
import { ATOMICS_ROUTER, createRouted, installAtomicsRouter, RAW_ATOMICS, withRoute } from '../src/invariants/global-atomics.js';
import type { ViolationKind } from '../src/grading/vocabulary.js';
import { ProbeAtomics } from '../src/invariants/probe-atomics.js';
import type { LockAtomics, LockDesign } from '../src/locks/contract.js';
import { loadLockDesign, lockSpecFor } from '../src/locks/registry.js';
import { newCpu } from '../src/model/kernel-locks.js';
import { handleToObj, objPfn, zspLockAt } from '../src/model/zs.js';
import { cli, smallPool } from './helpers.js';

const FIXTURES = 'test/fixtures';
/** Waiting trylocks that take the global Atomics at module load (test/fixtures/global-atomics-*.mjs). */
const CAPTURED = ['captured-waiting-trylock', 'destructured-waiting-trylock', 'helper-waiting-trylock'];
const SMALL: ExploreOptions = { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 2000, seed: 1 };

/** A lock that ignores its atomics: every call records what the global Atomics was. */
function spyDesign(seen: unknown[]): LockDesign {
  const op = (mem: Int32Array, at: number) => {
    seen.push(Atomics);
    Atomics.load(mem, at);
  };
  return {
    name: 'spy',
    words: 1,
    create() {
      seen.push(Atomics);
      return { init: op, readLock: op, readUnlock: op, writeTrylock: (m, a) => (op(m, a), true), writeUnlock: op };
    },
  };
}

describe('routing the global Atomics', () => {
  installAtomicsRouter();

  it('lock code sees the instrumented atomics during every call, the runtime\'s own outside one', () => {
    const seen: unknown[] = [];
    const loads: number[] = [];
    const counting = { ...(RAW_ATOMICS as unknown as LockAtomics), load: (_m: Int32Array, i: number) => (loads.push(i), 0) };
    const ops = createRouted(spyDesign(seen), counting);
    const mem = new Int32Array(new SharedArrayBuffer(16));
    ops.init(mem, 1);
    ops.readLock(mem, 2);
    ops.readUnlock(mem, 3);
    ops.writeTrylock(mem, 1);
    ops.writeUnlock(mem, 1);
    expect(seen).toHaveLength(6); // create() and the five calls
    expect(seen.every((a) => a === ATOMICS_ROUTER)).toBe(true);
    expect(loads).toEqual([1, 2, 3, 1, 1]);
    // outside a lock call the router is the runtime's Atomics
    RAW_ATOMICS.store(mem, 0, 7);
    expect(Atomics.load(mem, 0)).toBe(7);
    expect(loads).toHaveLength(5);
  });

  it('the route before is back after a lock call throws', () => {
    const counting = { ...(RAW_ATOMICS as unknown as LockAtomics), load: () => 99 };
    const ops = createRouted(
      { name: 'throws', words: 1, create: () => ({ init() {}, readLock() { throw new Error('boom'); }, readUnlock() {}, writeTrylock: () => true, writeUnlock() {} }) },
      counting,
    );
    const mem = new Int32Array(new SharedArrayBuffer(8));
    expect(() => ops.readLock(mem, 0)).toThrow('boom');
    expect(Atomics.load(mem, 0)).toBe(0);
  });

  it('a reference taken before any call, whole or destructured, is routed as the global is', () => {
    const whole = Atomics;
    const { add, compareExchange, wait, notify } = Atomics;
    const calls: string[] = [];
    const counting: LockAtomics = {
      ...(RAW_ATOMICS as unknown as LockAtomics),
      add: (m, i, v) => (calls.push('add'), RAW_ATOMICS.add(m, i, v)),
      compareExchange: (m, i, e, r) => (calls.push('compareExchange'), RAW_ATOMICS.compareExchange(m, i, e, r)),
      wait: () => (calls.push('wait'), 'timed-out'),
      notify: () => (calls.push('notify'), 0),
    };
    const mem = new Int32Array(new SharedArrayBuffer(8));
    withRoute(counting, () => {
      whole.add(mem, 0, 1);
      add(mem, 0, 1);
      compareExchange(mem, 0, 2, 3);
      wait(mem, 0, 3, 0);
      notify(mem, 0);
    });
    expect(calls).toEqual(['add', 'add', 'compareExchange', 'wait', 'notify']);
    expect(RAW_ATOMICS.load(mem, 0)).toBe(3);
    expect(whole.isLockFree(4)).toBe(true);
    expect(Object.prototype.toString.call(whole)).toBe('[object Atomics]');
  });

  it('forwards whatever typed array it is given, a BigInt64Array too, with its arguments', () => {
    const big = new BigInt64Array(new SharedArrayBuffer(16));
    const got: unknown[][] = [];
    const spy = { ...(RAW_ATOMICS as unknown as LockAtomics), add: (...args: unknown[]) => (got.push(args), 0) } as LockAtomics;
    const add = Atomics.add as unknown as (...a: unknown[]) => unknown;
    withRoute(spy, () => add(big, 1, 5n, 'release', 'unused'));
    expect(got).toEqual([[big, 1, 5n, 'release', 'unused']]);
    expect(Atomics.add(big, 1, 5n)).toBe(0n); // outside a call: the runtime's own
    expect(Atomics.load(big, 1)).toBe(5n);
  });

  it('a global Atomics.wait with preemption off is slept-in-atomic', () => {
    const { zs } = smallPool();
    const seen: ViolationKind[] = [];
    const cpu = { ...newCpu(), preemptCount: 1 };
    const probe = new ProbeAtomics(cpu, zs.mem, { report: (kind) => void seen.push(kind) });
    const napper: LockDesign = {
      name: 'napper',
      words: 1,
      create: () => ({ init() {}, readLock() {}, readUnlock() {}, writeTrylock: (m, a) => (Atomics.wait(m, a, 1, 0.01), true), writeUnlock() {} }),
    };
    expect(createRouted(napper, probe).writeTrylock(zs.mem, 0)).toBe(true);
    expect(seen).toEqual(['slept-in-atomic']);
  });
});

describe('the audit with a lock that spins on the global Atomics', () => {
  it.each(['waiting-trylock', 'destructured-waiting-trylock'])('reports a trylock that never returns instead of hanging (%s)', async (fixture) => {
    const design = await loadExplorerLock(`${FIXTURES}/global-atomics-${fixture}.mjs`);
    const { zs, atomics } = smallPool(design);
    const z = zs.mem[zs.L.pageDescs + objPfn(zs, handleToObj(zs, 0)) * 4]!; // handle 0's zspage
    Atomics.store(zs.mem, zspLockAt(zs, z), 1); // a reader left holding: the waiting trylock would spin for ever
    const seen: string[] = [];
    auditPool(zs, atomics, { report: (_kind, message) => void seen.push(message) });
    expect(seen.some((m) => /writeTrylock did not return/.test(m))).toBe(true);
  });
});

describe('global-Atomics lock modules', () => {
  it('explore: a waiting trylock fails trylock-waited, a napping one sleeps, a correct one passes', async () => {
    const waiting = await explore(await loadExplorerLock(`${FIXTURES}/global-atomics-waiting-trylock.mjs`), SMALL);
    expect(waiting.failure?.rule).toBe('trylock-waited');
    const napping = await explore(await loadExplorerLock(`${FIXTURES}/global-atomics-napping-trylock.mjs`), SMALL);
    expect(napping.failure?.rule).toBe('sleeps');
    const correct = await explore(await loadExplorerLock(`${FIXTURES}/global-atomics-lock.mjs`), SMALL);
    expect(correct.failure).toBeNull();
  });

  it.each(CAPTURED)('explore: %s fails trylock-waited', async (fixture) => {
    const r = await explore(await loadExplorerLock(`${FIXTURES}/global-atomics-${fixture}.mjs`), SMALL);
    expect(r.failure?.rule).toBe('trylock-waited');
  });

  // Taken at module load, whole, destructured or in a helper module: as strict as the global at call time.
  it.each(CAPTURED)('run, default scenario: %s fails with writer-waited within 5 s', (fixture) => {
    const r = cli(['run', '--lock', `${FIXTURES}/global-atomics-${fixture}.mjs`, '--seed', '4']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.summary().violations[0].kind).toBe('writer-waited');
    expect(r.summary().firstViolationMs).toBeLessThan(5000);
  });

  it('run: Atomics.wait taken at module load, under a writer, is slept-in-atomic', () => {
    const r = cli(['run', '--lock', `${FIXTURES}/global-atomics-captured-napping-trylock.mjs`, '--duration', '30', '--seed', '4']);
    expect(r.code).toBe(1);
    expect(r.summary().violations[0].kind).toBe('slept-in-atomic');
  });

  it("explore in the explorer's worker: a waiting trylock destructured at module load fails trylock-waited", async () => {
    const r = await exploreBounded(lockSpecFor(`${FIXTURES}/global-atomics-destructured-waiting-trylock.mjs`), SMALL);
    expect(r.failure?.rule).toBe('trylock-waited');
  });

  it('check: a waiting trylock reached through a helper module fails', () => {
    const r = cli(['check', '--lock', `${FIXTURES}/global-atomics-helper-waiting-trylock.mjs`, '--budget', '10', '--seed', '4', '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).kind).toMatch(/trylock-waited|writer-waited/);
  });

  it('run: a correct lock that takes Atomics at module load passes', () => {
    const r = cli(['run', '--lock', `${FIXTURES}/global-atomics-captured-lock.mjs`, '--scenario', 'smoke', '--duration', '2', '--seed', '4']);
    expect(r.code, r.stderr).toBe(0);
  });

  // The run stops at its first violation; the duration only bounds a run that finds none.
  it('run: a waiting trylock fails with writer-waited', () => {
    const r = cli(['run', '--lock', `${FIXTURES}/global-atomics-waiting-trylock.mjs`, '--duration', '30', '--seed', '4']);
    expect(r.code).toBe(1);
    expect(r.summary().violations[0].kind).toBe('writer-waited');
  });

  it('run: a trylock that naps in Atomics.wait fails with slept-in-atomic', () => {
    const r = cli(['run', '--lock', `${FIXTURES}/global-atomics-napping-trylock.mjs`, '--duration', '30', '--seed', '4']);
    expect(r.code).toBe(1);
    expect(r.summary().violations[0].kind).toBe('slept-in-atomic');
  });

  it('run: a correct one passes', () => {
    const r = cli(['run', '--lock', `${FIXTURES}/global-atomics-lock.mjs`, '--scenario', 'smoke', '--duration', '2', '--seed', '4']);
    expect(r.code).toBe(0);
  });
});

describe("the audit's lock check runs in a worker with a time limit", () => {
  it('reports a trylock spinning on plain memory on its zspage, and a fresh worker checks next time', async () => {
    const spec = lockSpecFor(`${FIXTURES}/plain-spin-trylock.mjs`);
    const { zs, params, arena } = smallPool(await loadLockDesign(spec));
    const z = zs.mem[zs.L.pageDescs + objPfn(zs, handleToObj(zs, 0)) * 4]!;
    const auditor = new LockAuditor(arena.memory, params, spec, 1000, 60_000, (at) => `[${zs.mem[zspLockAt(zs, at)]}]`);
    try {
      Atomics.store(zs.mem, zspLockAt(zs, z), 1); // a reader left holding
      const check = await auditor.check();
      expect(check(z)).toMatch(/writeTrylock did not return within 1 s with every worker parked \(words \[1\]\)/);
      Atomics.store(zs.mem, zspLockAt(zs, z), 0);
      const next = await auditor.check();
      expect(next(z)).toBeNull();
    } finally {
      await auditor.close();
    }
  });
});

describe('the explorer in a worker with a step limit', () => {
  const plainSpin = () => lockSpecFor(`${FIXTURES}/plain-spin-trylock.mjs`);

  it('a lock call that loops on plain memory is a livelock failure with its schedule, and its replay says the same', async () => {
    const r = await exploreBounded(plainSpin(), SMALL, 1000);
    expect(r.failure?.rule).toBe('livelock');
    expect(r.failure?.message).toMatch(/^T\d did not finish its step within 1 s/);
    const again = await replayBounded(plainSpin(), r.failure!.schedule, 'sc', 1000);
    expect(again.failure?.rule).toBe('livelock');
    expect(again.failure?.message).toBe(r.failure?.message);
    // one step fewer runs clean up to where the schedule ends
    const before = r.failure!.schedule.replace(/,?(\d+)(x(\d+))?$/, (_m, t, _x, n) => (n && Number(n) > 2 ? `,${t}x${Number(n) - 1}` : n ? `,${t}` : ''));
    await expect(replayBounded(plainSpin(), before, 'sc', 1000)).rejects.toThrow(/schedule ends after/);
  });

  it('answers as explore() does for a lock that returns', async () => {
    const seed = await exploreBounded(lockSpecFor('zspage-atomic'), SMALL);
    expect(seed.failure?.rule).toBe('exclusion');
    expect(seed.failure?.trace.length).toBeGreaterThan(0);
    const fixed = await exploreBounded(lockSpecFor('zspage-atomic-fixed'), { ...SMALL, iterations: 300 });
    expect(fixed.failure).toBeNull();
    expect(fixed.iterations).toBe(300);
    await expect(replayBounded(lockSpecFor('zspage-atomic'), 'R@9')).rejects.toThrow(/thread 9 cannot run|schedule/);
  });
});
