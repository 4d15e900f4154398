import { describe, expect, it } from 'vitest';
import { exploreExhaustive } from '../src/explorer/exhaustive.js';
import { loadExplorerLock } from '../src/explorer/index.js';
import type { Run } from '../src/explorer/sim.js';
import { CATALOG } from '../src/locks/catalog.js';
import type { LockDesign } from '../src/locks/contract.js';
import { finalsAndRules } from './outcomes.js';

// Under --memory weak the state key leaves out what no thread will read (learned.ts): the
// race-check records of a lock word no plain access reaches, and the older messages of a word
// no live thread loads or cmpxchgs. The exploration learns both, starting again when a run
// does what it did not know.
const ROOT = new URL('..', import.meta.url).pathname;
const design = async (name: string): Promise<LockDesign> => (name.includes('/') ? loadExplorerLock(name, ROOT, 'weak', true) : CATALOG[name]!.design);
const explore = (d: LockDesign, client: string, learn: boolean) => finalsAndRules(d, client, { memory: 'weak', budgetMs: 60_000, learn });

/** What each run of an exploration keyed by: the words whose race records it kept, and the words each thread may load. */
async function keyedBy(d: LockDesign, client: string) {
  const runs: { plain: number; loads: readonly number[] | null }[] = [];
  const onRun = (run: Run) => void runs.push({ plain: run.weak!.plainKeyed, loads: run.weak!.mayLoad?.slice() ?? null });
  const r = await exploreExhaustive(d, client.split('/'), { memory: 'weak', budgetMs: 60_000, keepGoing: true, onRun });
  return { r, first: runs[0]!, last: runs.at(-1)! };
}

describe('the weak key learns what threads will read', () => {
  it('zspage-two-word (atomics only): fewer states, the same outcomes and verdicts as keying everything', async () => {
    const d = await design('zspage-two-word');
    for (const [client, fewer] of [['R/R/W', 1.2], ['RR/R/W', 1.2], ['R/WW', 1]] as const) {
      const lean = await explore(d, client, true);
      const full = await explore(d, client, false);
      expect(lean.r.status).toBe('verified');
      expect(lean.finals).toEqual(full.finals);
      expect(lean.rules).toEqual(full.rules);
      expect(lean.r.states! * fewer).toBeLessThan(full.r.states!);
    }
  });

  it("learns each thread's loads: zspage-two-word's readers load the writer word, its writer both words", async () => {
    const { r, first, last } = await keyedBy(await design('zspage-two-word'), 'R/R/W');
    expect(r.status).toBe('verified');
    expect(first.loads).toEqual([0, 0, 0]);
    expect(last.loads).toEqual([0b10, 0b10, 0b11]);
    expect(last.plain).toBe(0);
  });

  it('a lock whose words take plain accesses: starts again keying their records, with the outcomes and verdicts of keying everything', async () => {
    for (const [name, client] of [
      ['examples/zspage-lock.c', 'R/W'],
      ['examples/weak-memory/spinlock-plain-fast-path.c', 'R/W'],
      ['zspage-spinlock', 'R/W/W'],
    ] as const) {
      const d = await design(name);
      const { first, last } = await keyedBy(d, client);
      expect(first.plain, name).toBe(0);
      expect(last.plain, name).not.toBe(0);
      const lean = await explore(d, client, true);
      const full = await explore(d, client, false);
      expect(lean.finals, name).toEqual(full.finals);
      expect(lean.rules, name).toEqual(full.rules);
    }
  });
});
