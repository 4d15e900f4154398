// The run's instruments on the kernel's pool, as on the model: a violation carries the
// flight recorder's recent role steps and zspage-lock events; run.hlog has interval
// histograms the existing reader reads; a stutter audit fires in the middle of the run.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKernelStress, type KernelStressOptions } from '../src/coordinator/kernel-stress.js';
import { readHlogTotals } from '../src/records/hlog.js';
import { cli } from './helpers.js';
import { TREES, mainlineWithV5, mutated } from './zsmalloc-mutations.js';

const options = (zsmalloc: string, patch: Partial<KernelStressOptions> = {}, config: Partial<KernelStressOptions['config']> = {}): KernelStressOptions => ({
  zsmalloc,
  durationMs: 5_000,
  seed: 2,
  pages: 1024,
  roles: { reader: 2, churner: 1, compactor: 1, migrator: 1 },
  hold: { kind: 'fixed', a: 1_000_000, b: 1_000_000 },
  ...patch,
  config: { stable: 60, churnEach: 200, minSize: 32, maxSize: 3000, sleepFraction: 0.2, hotObjects: 0, hotFraction: 0, targetedMigrations: 0, ...config },
});

describe('the flight recorder on the kernel pool', () => {
  it("v5's zspage lock: the exclusion violation carries the events on its lock, in order, each after its CPU's step, by kernel function", async () => {
    let v;
    for (const seed of [2, 3]) {
      const r = await runKernelStress(options(mainlineWithV5(), { seed, roles: { reader: 3, churner: 1, compactor: 1, migrator: 1 } }, { sleepFraction: 0.05, hotObjects: 4, hotFraction: 1, targetedMigrations: 1 }));
      v = r.violations[0];
      if (v) break;
    }
    expect(v?.kind).toBe('exclusion');
    const lock = /zspage lock (0x[0-9a-f]+)/.exec(v!.message)![1];
    const recent = v!.recent!;
    expect(recent.length).toBeGreaterThan(2);
    // the order is exact and every lock event is on the violation's lock
    expect(recent.map((o) => o.seq)).toEqual([...recent.map((o) => o.seq)].sort((a, b) => a - b));
    const events = recent.filter((o) => o.lock !== null);
    expect(events.every((o) => o.lock === lock)).toBe(true);
    // the last entry is the entry that broke exclusion: a holder counted in with a writer (or readers) inside
    expect(recent.at(-1)!.call).toBe('inside');
    expect(recent.at(-1)!.detail).toMatch(/before: [1-9]\d* writer|writer counted in; before: 0 writer\(s\), [1-9]/);
    // v5's lock annotates its lockdep map from its own functions
    expect(events.map((o) => o.func)).toContain('zspage_read_lock');
    expect(events.some((o) => /^rwsem_acquire/.test(o.call))).toBe(true);
    // and the role steps the CPUs were in: a read, a migration
    const steps = recent.filter((o) => o.lock === null).map((o) => o.call);
    expect(steps).toContain('zram_read_from_zspool');
    expect(steps).toContain('migrate_pages');
  }, 120_000);
});

describe('interval histograms and stutter audits on the kernel pool', () => {
  it('run --zsmalloc writes run.hlog with interval histograms the reader sums to the run totals, and audits mid-run', () => {
    const scenario = join(mkdtempSync(join(tmpdir(), 'zss-')), 'stutters.json');
    writeFileSync(scenario, JSON.stringify({ readers: { sleepFraction: 0 }, auditEvery: '500ms' }));
    const r = cli(['run', '--zsmalloc', TREES.mainline, '--duration', '3', '--seed', '5', '--stat-interval', '1', '--scenario', scenario]);
    expect(r.code, r.stdout).toBe(0);
    const s = r.summary();
    const text = readFileSync(join(r.out, 'run.hlog'), 'utf8');
    const lines = text.split('\n').filter((l) => l.startsWith('Tag=reader-lock-wait,'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const totals = readHlogTotals(text);
    expect(totals['reader-lock-wait']!.totalCount).toBe(s.metrics['reader-lock-wait'].count);
    expect(totals['migrate-op']!.totalCount).toBe(s.metrics['migrate-op'].count);
    // stutter audits and the final one, every stored object read back
    expect(s.audits.count).toBeGreaterThanOrEqual(3);
    expect(s.audits.objects).toBeGreaterThan(s.audits.count);
    expect(s.audits.bytes).toBeGreaterThan(0);
  }, 120_000);

  it('a stutter audit finds a fullness group its statistics do not count, long before the run ends', async () => {
    // insert_zspage() puts the zspage on its fullness list without counting it there
    const tree = mutated(TREES.mainline, [[/(static void insert_zspage[\s\S]*?)class_stat_(inc|add)\(class, fullness, 1\);/, '$1class_stat_$2(class, fullness, 0);']]);
    const r = await runKernelStress(options(tree, { durationMs: 20_000, auditEveryMs: 300 }, { sleepFraction: 0 }));
    const v = r.violations[0];
    expect(v?.kind).toBe('audit');
    expect(v?.by).toBe('stutter audit');
    expect(v?.message).toMatch(/^class \d+, fullness group \d+: audit check 5 \(zspages in the group against its statistic\) found \d+, expected \d+$/);
    expect(v!.atMs).toBeLessThan(5_000);
    // without stutters the same tree runs on until its end, found only by the final audit
    const once = await runKernelStress(options(tree, { durationMs: 1_500 }, { sleepFraction: 0 }));
    expect(once.audits.count).toBe(1);
    expect(once.violations[0]?.kind).toBe('audit');
    expect(once.violations[0]!.atMs).toBeGreaterThanOrEqual(1_500);
  }, 120_000);
});
