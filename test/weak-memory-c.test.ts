// The weak-memory gate for locks written in kernel C (examples/weak-memory/): each broken
// variant passes explore --memory sc and fails --memory weak; the correct designs pass.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, loadExplorerLock, replay, type ExploreOptions } from '../src/explorer/index.js';
import { compileCLock } from '../src/locks/c/compile.js';
import { cLockDesign } from '../src/locks/c/design.js';
import { ROOT } from './helpers.js';

const DIR = join(ROOT, 'examples', 'weak-memory');
const SMALL: ExploreOptions = { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 1000, seed: 1 };
/** As `explore --memory weak` builds it: plain accesses instrumented (compiled once; no probe, to spare CI a compile). */
const lock = async (file: string) => cLockDesign(await compileCLock(join(DIR, file), file, { plainAccesses: true }));

const BROKEN: Record<string, string[]> = {
  'relaxed-write-unlock.c': ['data-race'],
  'relaxed-read-lock.c': ['data-race'],
  'void-dec-read-unlock.c': ['data-race'],
  'relaxed-trylock.c': ['data-race'],
  'two-word-no-mb.c': ['exclusion', 'data-race'],
  'spinlock-plain-fast-path.c': ['data-race'],
};

describe('C locks under explore --memory weak', { timeout: 300_000 }, () => {
  for (const [file, rules] of Object.entries(BROKEN)) {
    it(`${file}: passes --memory sc, fails --memory weak with ${rules.join(' or ')}, and replays`, async () => {
      const design = await lock(file);
      expect((await explore(design, SMALL)).failure).toBeNull();
      for (const strategy of ['random', 'pct'] as const) {
        const r = await explore(design, { ...SMALL, strategy, iterations: 5000, memory: 'weak', staleDepth: 2 });
        expect(r.failure).not.toBeNull();
        expect(rules).toContain(r.failure!.rule);
        const again = await replay(design, r.failure!.schedule, 'weak');
        expect(again.failure).toMatchObject({ rule: r.failure!.rule, message: r.failure!.message });
      }
    });
  }

  for (const file of ['zspage-atomic-fixed.c', 'two-word.c', '../zspage-lock.c']) {
    it(`${file} passes 1000 weak iterations (random and pct)`, async () => {
      const design = await lock(file);
      for (const strategy of ['random', 'pct'] as const) {
        const r = await explore(design, { ...SMALL, strategy, memory: 'weak', staleDepth: 2 });
        expect(r.failure).toBeNull();
      }
    });
  }

  it('the plain read outside the spinlock is seen only in the instrumented build (what --memory weak loads)', async () => {
    const plain = cLockDesign(await compileCLock(join(DIR, 'spinlock-plain-fast-path.c')));
    expect((await explore(plain, { ...SMALL, memory: 'weak', iterations: 300 })).failure).toBeNull();
    const weak = await loadExplorerLock(join(DIR, 'spinlock-plain-fast-path.c'), ROOT, 'weak');
    const r = await explore(weak, { ...SMALL, memory: 'weak' });
    expect(r.failure!.message).toMatch(/writeTrylock plain load\[1\]/);
  });

  it("a C lock's plain stores are race-checked: a count dropped outside the spinlock races with the one under it", async () => {
    const r = await explore(await lock('../broken-unlock.c'), { ...SMALL, memory: 'weak' });
    expect(r.failure?.rule).toBe('data-race');
    expect(r.failure!.message).toMatch(/lock word 1: .* races with T\d's plain store \(\w+ plain store\[1\]/);
  });
});
