// Real zsmalloc races, fixed upstream, with their fixes reverted (the patches in
// test/fixtures/kernel/reverts, applied as a user would to a tree): each is caught on the
// versions it applies to, by the explorer (a replayable execution) and, where its window
// is wide enough, by the stress; the released trees stay clean under the same settings.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKernelCheck } from '../src/coordinator/kernel-check.js';
import { exploreKernel, type KernelExploreOptions } from '../src/coordinator/kernel-explore.js';
import { runKernelStress, type KernelStressOptions } from '../src/coordinator/kernel-stress.js';
import { parseKernelProgram } from '../src/zsmalloc/program.js';
import { reverted, TREES } from './zsmalloc-mutations.js';

/**
 * Frees that empty both zspages of the setup, each CPU running the deferred free it queued
 * (as its kworker would), against kcompactd's passes over every page in use.
 */
const FREE_VS_MIGRATE = 'F0,F1,F2,F3,D/S,S,S/F4,F5,F6,F7,D';

const explore = (zsmalloc: string, patch: Partial<KernelExploreOptions>): Promise<Awaited<ReturnType<typeof exploreKernel>>> =>
  exploreKernel({ zsmalloc, program: FREE_VS_MIGRATE, strategy: 'pct', depth: 2, iterations: 20, seed: 4, objects: 8, objectSize: 1000, maxSteps: 200_000, ...patch });

const BUG = /^BUG_ON at mm\/zsmalloc\.c:\d+ \(CPU \d, preempt_count \d\)$/;

/** Which upstream fix each patch reverts, where it applies, and the schedule that finds it. */
const REVERTED = [
  { version: '6.12', patch: '6.12-2505a981114d.patch', search: { strategy: 'pct', seed: 2 } },
  { version: 'mainline', patch: 'mainline-2505a981114d.patch', search: { strategy: 'pct', seed: 4 } },
  { version: 'mainline', patch: 'mainline-zs-page-migrate-destroyed.patch', search: { strategy: 'random', seed: 2 } },
] as const;

describe('reverted upstream race fixes are caught by the explorer, and replay', () => {
  it.each(REVERTED)('$version with $patch', async ({ version, patch, search }) => {
    const tree = reverted(version, patch);
    const found = await explore(tree, search);
    // a BUG in get_zspage() (a page no longer of its zspage, or one already destroyed) or in
    // __free_zspage() (a page of the chain the free never locked)
    expect(found.failure?.kind).toBe('warn');
    expect(found.failure?.message).toMatch(BUG);
    const execution = Number(/:(\d+)$/.exec(found.failure!.replay)![1]);
    const again = await explore(tree, { ...search, only: execution });
    expect(again.failure?.message).toBe(found.failure!.message);
    expect(again.failure?.steps).toBe(found.failure!.steps);
    // the released tree: the same executions, and that one, run clean
    const released = await explore(TREES[version], search);
    expect(released.failure, released.failure?.message).toBeNull();
    expect((await explore(TREES[version], { ...search, only: execution })).failure).toBeNull();
  }, 120_000);

  it('check --zsmalloc finds the destroyed-page revert in its explore part', async () => {
    const tree = reverted('mainline', 'mainline-zs-page-migrate-destroyed.patch');
    const record = await runKernelCheck({ zsmalloc: tree, budgetMs: 30_000, seed: 1, out: mkdtempSync(join(tmpdir(), 'revert-check-')), failFast: true }, () => {});
    expect(record.verdict).toBe('fail');
    expect(record.part).toBe('explore');
    expect(record.kind).toBe('warn');
    expect(record.replay).toMatch(/^npx zspage-stress explore --zsmalloc \S+( --depth \d+)? --replay '[^']+@(random|pct):\d+:\d+'$/);
  }, 120_000);

  it('check --zsmalloc --no-sleeping-readers: 6.12 as released passes, with 2505a981114d reverted it fails', async () => {
    const check = (zsmalloc: string) =>
      runKernelCheck({ zsmalloc, budgetMs: 10_000, seed: 3, out: mkdtempSync(join(tmpdir(), 'revert-check-')), failFast: true, sleepingReaders: false }, () => {});
    const released = await check(TREES['6.12']);
    expect(released.verdict, released.parts.map((p) => `${p.part}: ${p.message}`).join('; ')).toBe('pass');
    // its readers read without the sleep point (R0, not R0s), and the stress parts' never sleep holding
    expect(released.parts.filter((p) => p.part.startsWith('stress')).every((p) => p.ran.endsWith('readers never sleep holding'))).toBe(true);
    const broken = await check(reverted('6.12', '6.12-2505a981114d.patch'));
    expect(broken.verdict).toBe('fail');
    expect(broken.kind).toBe('warn');
  }, 120_000);

  it('the programs name pages by what they are: P<n> (object n\'s page at the start) and S (every page in use)', async () => {
    expect(parseKernelProgram('P0/S', 2)).toEqual([[{ op: 'migrate-setup', slot: 0 }], [{ op: 'scan' }]]);
    expect(() => parseKernelProgram('S1', 2)).toThrow(/'S1' is not an operation/);
    // a page migrated while its zspage empties, twice (the second time it is the old page: freed)
    const r = await explore(TREES.mainline, { program: 'P0,P0/F0,F1,F2,F3,D', strategy: 'random', seed: 1 });
    expect(r.failure, r.failure?.message).toBeNull();
    expect(r.iterations).toBe(20);
  }, 60_000);
});

const stress = (zsmalloc: string, seed: number): KernelStressOptions => ({
  zsmalloc,
  durationMs: 5_000,
  seed,
  pages: 1024,
  roles: { reader: 1, churner: 1, compactor: 1, migrator: 2 },
  config: { stable: 60, churnEach: 200, minSize: 32, maxSize: 3000, sleepFraction: 0, hotObjects: 0, hotFraction: 0, targetedMigrations: 0 },
});

describe('2505a981114d reverted is caught by the stress too', () => {
  // the churner runs the deferred free its zs_free() queued at once, while compaction's
  // clusters keep the pages of emptying zspages locked and migrating
  it.each(['6.12', 'mainline'] as const)('%s', async (version) => {
    const tree = reverted(version, `${version}-2505a981114d.patch`);
    let first;
    // caught in most 5 s runs (8 of 8 measured), not in every one: up to three seeds; on a
    // loaded machine another symptom of the race (a lock-order report) may come before the BUG_ON
    for (const seed of [2, 3, 4]) {
      first = (await runKernelStress(stress(tree, seed))).violations.find((v) => v.kind === 'warn');
      if (first) break;
    }
    expect(first?.kind).toBe('warn');
    expect(first?.message).toMatch(BUG);
    expect(first!.atMs).toBeLessThan(5_000);
  }, 90_000);
});
