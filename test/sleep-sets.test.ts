import { describe, expect, it, vi } from 'vitest';
import { exploreExhaustive } from '../src/explorer/exhaustive.js';
import { loadExplorerLock, type MemoryModel } from '../src/explorer/index.js';
import { Run } from '../src/explorer/sim.js';
import { stateKey } from '../src/explorer/state-key.js';
import { dependent, Touches } from '../src/explorer/touches.js';
import { SpinWatch } from '../src/explorer/spin.js';
import type { LockDesign } from '../src/locks/contract.js';
import { CATALOG } from '../src/locks/catalog.js';
import { ROOT } from './helpers.js';

// Sleep sets on top of state caching (exhaustive.ts, toExplore) rest on one property: two
// steps of different threads that touches.ts calls independent reach one state, whichever
// runs first. Both halves are tested here: the property itself, on random executions, and
// what the search gains by it (every state still reached, fewer runs).

const CLIENTS: [string, string, MemoryModel][] = [
  ['zspage-atomic-fixed', 'RR/RR/WW', 'weak'],
  ['zspage-two-word', 'RR/RR/WW', 'weak'],
  ['zspage-two-word', 'RR/WW/WW', 'sc'],
  ['zspage-spinlock', 'RR/WW/WW', 'weak'],
  ['zspage-spinlock', 'RR/RR/WW', 'sc'],
  ['examples/zspage-lock.c', 'RR/RR/WW', 'weak'],
  ['examples/zspage-lock.c', 'RR/WW/WW', 'sc'],
];

const design = async (name: string, memory: MemoryModel): Promise<LockDesign> =>
  name.includes('/') ? loadExplorerLock(name, ROOT, memory, true) : CATALOG[name]!.design;

const callsIndependent = (d: LockDesign) => d.callsIndependent === true || d.source !== undefined;

/**
 * A run of `programs` that takes `schedule` and reads as `reads` says (by step), and stops there;
 * without a schedule, a random execution whose read choices are put in `reads`.
 */
function runOf(d: LockDesign, programs: string[], memory: MemoryModel, schedule: readonly number[] | null, reads: Map<number, number>, random: () => number): Run {
  const pick = (n: number, step: number) => {
    if (!reads.has(step)) reads.set(step, Math.floor(random() * n));
    return Math.min(reads.get(step)!, n - 1);
  };
  const run = new Run(d, programs, false, memory === 'weak' ? pick : null);
  run.touches = new Touches();
  run.foldSpins = true;
  run.run((pool, step) => (schedule ? schedule[step] : pool[Math.floor(random() * pool.length)]));
  return run;
}

/** Every adjacent pair of independent steps of different threads in `runs` random executions, swapped: how many, and how many reached another key. */
function swaps(d: LockDesign, client: string, memory: MemoryModel, runs: number, seed: number) {
  const programs = client.split('/');
  let s = seed;
  const random = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  let checked = 0;
  let differ = 0;
  for (let i = 0; i < runs; i++) {
    const reads = new Map<number, number>();
    const whole = runOf(d, programs, memory, null, reads, random);
    const steps = whole.touches!.steps;
    for (let k = 0; k + 1 < whole.schedule.length; k++) {
      const [a, b] = [whole.schedule[k]!, whole.schedule[k + 1]!];
      if (a === b || dependent(steps[k]!, steps[k + 1]!)) continue;
      const prefix = whole.schedule.slice(0, k + 2);
      const swapped = [...prefix.slice(0, k), b, a];
      const swappedReads = new Map(reads);
      swappedReads.delete(k);
      swappedReads.delete(k + 1);
      if (reads.has(k + 1)) swappedReads.set(k, reads.get(k + 1)!);
      if (reads.has(k)) swappedReads.set(k + 1, reads.get(k)!);
      const one = runOf(d, programs, memory, prefix, new Map(reads), random);
      const other = runOf(d, programs, memory, swapped, swappedReads, random);
      if (one.failure || other.failure || one.steps !== k + 2 || other.steps !== k + 2) continue;
      checked++;
      if (stateKey(one, callsIndependent(d)) !== stateKey(other, callsIndependent(d))) differ++;
    }
  }
  return { checked, differ };
}

describe('independent steps reach one state in either order (touches.ts, the key of state-key.ts)', () => {
  for (const [name, client, memory] of CLIENTS) {
    it(`${name} ${client} --memory ${memory}`, async () => {
      const { checked, differ } = await swaps(await design(name, memory), client, memory, 30, 7);
      expect(checked).toBeGreaterThan(20);
      expect(differ).toBe(0);
    });
  }

  it('fires on a spin watch that takes a fence for a load of word 0, as it once did', async () => {
    // zspage-two-word's fences: another thread's write of word 0 then changes what the watch says
    const observe = SpinWatch.prototype.observe;
    const spy = vi.spyOn(SpinWatch.prototype, 'observe').mockImplementation(function (this: SpinWatch, t, name, rel, wide, a, b, result, stale, touches) {
      observe.call(this, t, name === 'fence' ? 'load' : name, rel, wide, a, b, result, stale, touches);
    });
    try {
      const { differ } = await swaps(await design('zspage-two-word', 'weak'), 'RR/RR/WW', 'weak', 30, 7);
      expect(differ).toBeGreaterThan(0);
    } finally {
      spy.mockRestore();
    }
  });
});

const SMALL: [string, string, MemoryModel][] = [
  ['zspage-atomic-fixed', 'R/R/W', 'weak'],
  ['zspage-two-word', 'R/R/W', 'weak'],
  ['zspage-two-word', 'R/W/W', 'sc'],
  ['zspage-spinlock', 'R/W/W', 'weak'],
  ['zspage-spinlock', 'R/R/W', 'sc'],
  ['examples/zspage-lock.c', 'R/W/W', 'weak'],
  ['examples/zspage-lock.c', 'R/R/W', 'sc'],
];

describe('sleep sets on top of state caching (exhaustive.ts)', () => {
  for (const [name, client, memory] of SMALL) {
    it(`${name} ${client} --memory ${memory}: every state of state caching alone, the same verdict, fewer runs`, async () => {
      const d = await design(name, memory);
      // without the failed-round cut, whose points are states that one order of two steps
      // reaches and the other does not (spin-fold.ts)
      const options = { memory, budgetMs: 60_000, cutRounds: false };
      const alone = await exploreExhaustive(d, client.split('/'), { ...options, sleepSets: false });
      const slept = await exploreExhaustive(d, client.split('/'), options);
      expect(alone.status).toBe('verified');
      expect(slept.status).toBe('verified');
      expect(slept.states).toBe(alone.states);
      expect(slept.executions + slept.pruned).toBeLessThan(alone.executions + alone.pruned);
    });
  }
});
