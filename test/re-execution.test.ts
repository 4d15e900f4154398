import { describe, expect, it } from 'vitest';
import { Run } from '../src/explorer/sim.js';
import type { LockDesign } from '../src/locks/contract.js';
import { CATALOG } from '../src/locks/catalog.js';
import { loadExplorerLock } from '../src/explorer/index.js';
import { ROOT } from './helpers.js';

// Re-execution (sim.ts) skips a thread's completed calls for a design whose calls are
// independent (LockDesign.callsIndependent, and a C lock): it takes the preempt_count they left and their
// return values instead of running them again. It must change nothing: the same run, step by
// step, as the same design re-run from the start of its history.

/** Each step's words, and each thread's preempt_count, calls done, holds and memo length, under one random schedule. */
function steps(design: LockDesign, programs: string[], seed: number): string[] {
  let s = seed;
  const random = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const run = new Run(design, programs, false);
  const seen: string[] = [];
  run.run((pool) => {
    seen.push(`${[...run.mem].join(',')}|${run.threads.map((t) => `${t.preempt}:${t.callsDone}:${t.holds}:${t.memo.length}`).join(' ')}`);
    return pool[Math.floor(random() * pool.length)];
  });
  seen.push(run.failure ? `${run.failure.rule}: ${run.failure.message}` : 'passed');
  return seen;
}

describe('re-execution that skips completed calls', () => {
  for (const name of ['zspage-spinlock', 'zspage-atomic-fixed', 'zspage-two-word']) {
    it(`${name}: the same steps as re-running every call, over 40 random schedules`, () => {
      const design = CATALOG[name]!.design;
      expect(design.callsIndependent).toBe(true);
      const rerun = { ...design, callsIndependent: false };
      for (let seed = 1; seed <= 40; seed++) expect(steps(design, ['RWR', 'WRW', 'RRW'], seed)).toEqual(steps(rerun, ['RWR', 'WRW', 'RRW'], seed));
    });
  }

  it('examples/zspage-lock.c (a C lock, plain code re-run on snapshots): the same steps as re-running every call, over 40 random schedules', async () => {
    const design = await loadExplorerLock('examples/zspage-lock.c', ROOT, 'sc', true);
    expect(design.source).toBeDefined();
    const rerun = { ...design, source: undefined };
    for (let seed = 1; seed <= 40; seed++) expect(steps(design, ['RWR', 'WRW', 'RRW'], seed)).toEqual(steps(rerun, ['RWR', 'WRW', 'RRW'], seed));
  });

  it('zspage-spinlock: threads sit between calls with preempt_count raised (a write section holds the spinlock), so a wrong one would show', () => {
    const run = new Run(CATALOG['zspage-spinlock']!.design, ['W', 'R'], false);
    let raised = 0;
    run.run((pool) => {
      for (const t of run.threads) if (t.call === null && t.holds === 'write' && t.preempt > 0) raised++;
      return pool[0];
    });
    expect(run.failure).toBeNull();
    expect(raised).toBeGreaterThan(0);
  });
});
