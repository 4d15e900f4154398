import { describe, expect, it } from 'vitest';
import { loadExplorerLock, type MemoryModel } from '../src/explorer/index.js';
import { ROOT } from './helpers.js';
import { finalsAndRules } from './outcomes.js';

// State caching cuts the point after a failed round of a declared loop (LockAtomics.loop) that
// only read, when its last read was of an older message than the first candidate explored or
// when another thread can run outside any such loop holding no read lock (spin-fold.ts,
// exhaustive.ts). The round changed nothing but the spinner's own views: whatever follows it
// follows the point before it too. Cut or not, the same final states and the same verdicts.

/** Every final state and every rule that failed, and the states explored. */
async function outcomes(lock: string, client: string, memory: MemoryModel, cutRounds: boolean) {
  return finalsAndRules(await loadExplorerLock(lock, ROOT, memory, true), client, { memory, budgetMs: 60_000, cutRounds });
}

const CLIENTS: [string, string, MemoryModel][] = [
  ['zspage-atomic-fixed', 'R/R/W', 'weak'],
  ['zspage-spinlock', 'R/R/W', 'weak'],
  ['zspage-spinlock', 'R/W/W', 'sc'],
  ['examples/zspage-lock.c', 'R/W/W', 'weak'],
  ['examples/zspage-lock.c', 'R/R/W', 'sc'],
  ['test/fixtures/spin-keeps-lock.mjs', 'R/R/W', 'weak'],
  ['test/fixtures/spin-keeps-lock.mjs', 'R/W/R', 'sc'],
];

describe('failed rounds of a declared loop, cut (spin-fold.ts)', () => {
  for (const [lock, client, memory] of CLIENTS) {
    it(`${lock} ${client} --memory ${memory}: the same finals and verdicts as without the cut, in fewer states`, async () => {
      const cut = await outcomes(lock, client, memory, true);
      const whole = await outcomes(lock, client, memory, false);
      expect(whole.r.status).not.toBe('incomplete');
      expect(cut.r.status).toBe(whole.r.status);
      expect(cut.finals).toEqual(whole.finals);
      expect(cut.rules).toEqual(whole.rules);
      expect(cut.r.states).toBeLessThan(whole.r.states!);
    });
  }

  it('a reader left spinning for ever is still judged, and so is one that spins while only readers can run', async () => {
    const keeps = await outcomes('test/fixtures/spin-keeps-lock.mjs', 'R/R/W', 'weak', true);
    expect(keeps.rules).toEqual(['livelock', 'reader-waited']);
  });
});
