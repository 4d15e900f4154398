import { describe, expect, it } from 'vitest';
import { exploreExhaustive } from '../src/explorer/exhaustive.js';
import { loadExplorerLock } from '../src/explorer/index.js';
import type { Run } from '../src/explorer/sim.js';
import { CATALOG } from '../src/locks/catalog.js';
import type { LockDesign } from '../src/locks/contract.js';
import { finalsAndRules } from './outcomes.js';

// Under --memory weak the state key leaves out the race-check records of a lock word no plain
// access has reached (WeakRun.plainKeyed): only a plain access reads them. When one does, the
// exploration starts again, keying that word's records (exhaustive.ts).
const ROOT = new URL('..', import.meta.url).pathname;
const design = async (name: string): Promise<LockDesign> => (name.includes('/') ? loadExplorerLock(name, ROOT, 'weak', true) : CATALOG[name]!.design);
const explore = (d: LockDesign, client: string, allRaceRecords: boolean) => finalsAndRules(d, client, { memory: 'weak', budgetMs: 60_000, allRaceRecords });

describe('the weak key without the race records of lock words no plain access reaches', () => {
  it('zspage-two-word (atomics only): fewer states, the same outcomes and verdicts as keying every record', async () => {
    const d = await design('zspage-two-word');
    for (const client of ['R/R/W', 'RR/R/W']) {
      const lean = await explore(d, client, false);
      const full = await explore(d, client, true);
      expect(lean.r.status).toBe('verified');
      expect(lean.finals).toEqual(full.finals);
      expect(lean.rules).toEqual(full.rules);
      expect(lean.r.states! * 1.2).toBeLessThan(full.r.states!);
    }
  });

  it('a lock whose words take plain accesses: the exploration starts again keying them, with the outcomes and verdicts of keying every record', async () => {
    for (const [name, client] of [
      ['examples/zspage-lock.c', 'R/W'],
      ['examples/weak-memory/spinlock-plain-fast-path.c', 'R/W'],
      ['zspage-spinlock', 'R/W/W'],
    ] as const) {
      const d = await design(name);
      const keyed: number[] = [];
      const r = await exploreExhaustive(d, client.split('/'), { memory: 'weak', budgetMs: 60_000, keepGoing: true, onRun: (run: Run) => void keyed.push(run.weak!.plainKeyed) });
      expect(keyed[0], name).toBe(0);
      expect(keyed.at(-1), name).not.toBe(0);
      expect(r.states, name).toBeGreaterThan(0);
      const lean = await explore(d, client, false);
      const full = await explore(d, client, true);
      expect(lean.finals, name).toEqual(full.finals);
      expect(lean.rules, name).toEqual(full.rules);
    }
  });
});
