// The kernel's own zsmalloc.c on real threads: readers (sleeping while they hold an
// object where the version allows it), churners, a compactor and a migrator, each a CPU.
// Mainline keeps every promise; 6.12's readers may not sleep holding a mapping; a write
// trylock that ignores readers is caught.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKernelStress, type KernelStressOptions } from '../src/zsmalloc/stress.js';
import { ROOT } from './helpers.js';

const TREES = { mainline: join(ROOT, 'test/fixtures/kernel/mainline'), '6.12': join(ROOT, 'test/fixtures/kernel/6.12') };

const options = (zsmalloc: string, patch: Partial<KernelStressOptions['config']> = {}): KernelStressOptions => ({
  zsmalloc,
  durationMs: 2_000,
  seed: 11,
  pages: 4096,
  roles: { reader: 2, churner: 1, compactor: 1, migrator: 1 },
  config: { stable: 300, churnEach: 200, minSize: 32, maxSize: 3000, holdMs: 1, sleepFraction: 0.2, ...patch },
});

function mutated(tree: string, from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'zsmalloc-'));
  cpSync(tree, dir, { recursive: true });
  const file = join(dir, 'mm/zsmalloc.c');
  const src = readFileSync(file, 'utf8');
  expect(src).toContain(from);
  writeFileSync(file, src.replace(from, to));
  return dir;
}

describe('the kernel pool on real threads', () => {
  it('mainline: readers sleeping while they hold objects, with migration, compaction and churn, find nothing', async () => {
    const r = await runKernelStress(options(TREES.mainline));
    expect(r.violations).toEqual([]);
    expect(r.audited).toBeGreaterThan(0);
    const total = (k: 'sleepingReads' | 'migrated' | 'pagesCompacted' | 'bytesVerified') => Object.values(r.counters).reduce((s, c) => s + c[k], 0);
    expect(total('sleepingReads')).toBeGreaterThan(0);
    expect(total('migrated')).toBeGreaterThan(0);
    expect(total('bytesVerified')).toBeGreaterThan(0);
    expect(r.stubs.schedule_work).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('6.12: readers that never sleep holding find nothing', async () => {
    const r = await runKernelStress(options(TREES['6.12'], { sleepFraction: 0 }));
    expect(r.violations).toEqual([]);
    expect(r.audited).toBeGreaterThan(0);
  }, 60_000);

  it('6.12: a reader that sleeps holding a mapping sleeps in atomic context', async () => {
    const r = await runKernelStress(options(TREES['6.12']));
    expect(r.violations[0]?.kind).toBe('slept-in-atomic');
    expect(r.violations[0]?.message).toMatch(/preempt_count [1-9]/);
  }, 60_000);

  it('mainline with a zspage write trylock that ignores readers: caught', async () => {
    const tree = mutated(TREES.mainline, 'if (zsl->cnt == ZS_PAGE_UNLOCKED) {', 'if (zsl->cnt == ZS_PAGE_UNLOCKED || zsl->cnt > 0) {');
    const r = await runKernelStress({ ...options(tree, { stable: 60 }), durationMs: 5_000 });
    expect(['exclusion', 'integrity']).toContain(r.violations[0]?.kind);
  }, 60_000);
});
