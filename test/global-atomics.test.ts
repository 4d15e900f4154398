// Lock modules written against the global Atomics are checked as strictly as ones that use
// the atomics they are given: in role workers, in the coordinator's audit and in the explorer.
import { describe, expect, it } from 'vitest';
import { LockAuditor } from '../src/coordinator/lock-auditor.js';
import { exploreBounded, replayBounded } from '../src/explorer/bounded.js';
import { explore, loadExplorerLock, type ExploreOptions } from '../src/explorer/index.js';
import { auditPool } from '../src/invariants/audit.js';
import { asGlobalAtomics, createRouted, RAW_ATOMICS } from '../src/invariants/global-atomics.js';
import type { ViolationKind } from '../src/grading/vocabulary.js';
import { ProbeAtomics } from '../src/invariants/probe-atomics.js';
import type { LockAtomics, LockDesign } from '../src/locks/contract.js';
import { loadLockDesign, lockSpecFor } from '../src/locks/registry.js';
import { handleToObj, objPfn, zspLockAt } from '../src/model/zs.js';
import { cli, smallPool } from './helpers.js';

const FIXTURES = 'test/fixtures';
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
  it('lock code sees the instrumented atomics, the harness the original, before and after every call', () => {
    const seen: unknown[] = [];
    const loads: number[] = [];
    const counting = { ...asGlobalAtomics(RAW_ATOMICS as unknown as LockAtomics), load: (_m: Int32Array, i: number) => (loads.push(i), 0) };
    const ops = createRouted(spyDesign(seen), counting as unknown as LockAtomics);
    const mem = new Int32Array(new SharedArrayBuffer(16));
    ops.init(mem, 1);
    ops.readLock(mem, 2);
    ops.readUnlock(mem, 3);
    ops.writeTrylock(mem, 1);
    ops.writeUnlock(mem, 1);
    expect(Atomics).toBe(RAW_ATOMICS);
    expect(seen).toHaveLength(6); // create() and the five calls
    expect(seen.every((a) => a !== RAW_ATOMICS)).toBe(true);
    expect(loads).toEqual([1, 2, 3, 1, 1]);
  });

  it('the original is back after a lock call throws', () => {
    const ops = createRouted(
      { name: 'throws', words: 1, create: () => ({ init() {}, readLock() { throw new Error('boom'); }, readUnlock() {}, writeTrylock: () => true, writeUnlock() {} }) },
      RAW_ATOMICS as unknown as LockAtomics,
    );
    expect(() => ops.readLock(new Int32Array(4), 0)).toThrow('boom');
    expect(Atomics).toBe(RAW_ATOMICS);
  });

  it('the stand-in has every method of the global, destructured ones included', () => {
    const calls: string[] = [];
    const stand = asGlobalAtomics({ ...(RAW_ATOMICS as unknown as LockAtomics), add: (m, i, v) => (calls.push('add'), RAW_ATOMICS.add(m, i, v)) });
    const { add } = stand;
    add(new Int32Array(new SharedArrayBuffer(8)), 0, 1);
    expect(calls).toEqual(['add']);
    expect(stand.isLockFree(4)).toBe(true);
    expect(Object.prototype.toString.call(stand)).toBe('[object Atomics]');
  });

  it('a global Atomics.wait with preemption off is slept-in-atomic', () => {
    const { zs } = smallPool();
    const seen: ViolationKind[] = [];
    const cpu = { preemptCount: 1 };
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
  it('reports a trylock that never returns instead of hanging', async () => {
    const design = await loadExplorerLock(`${FIXTURES}/global-atomics-waiting-trylock.mjs`);
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
