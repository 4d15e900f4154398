// The kernel's own zsmalloc.c on real threads: readers (sleeping while they hold an
// object where the version allows it), churners, a compactor and a migrator, each a CPU.
// Mainline keeps every promise; 6.12's readers may not sleep holding a mapping; a write
// trylock that ignores readers is caught.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKernelStress, type KernelStressOptions } from '../src/coordinator/kernel-stress.js';
import { cli, ROOT } from './helpers.js';
import { TREES, mutated } from './zsmalloc-mutations.js';


const options = (zsmalloc: string, patch: Partial<KernelStressOptions['config']> = {}): KernelStressOptions => ({
  zsmalloc,
  durationMs: 2_000,
  seed: 11,
  pages: 4096,
  roles: { reader: 2, churner: 1, compactor: 1, migrator: 1 },
  config: { stable: 300, churnEach: 200, minSize: 32, maxSize: 3000, sleepFraction: 0.2, hotObjects: 0, hotFraction: 0, targetedMigrations: 0.5, ...patch },
  hold: { kind: 'fixed', a: 1_000_000, b: 1_000_000 },
});


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
    // no CPU starves on the pool lock (a queued rwlock): the migrator and compactor take it
    // for write among readers that take it at once, and the churner takes it for read
    for (const label of ['reader#0', 'churner#0', 'compactor#0', 'migrator#0']) expect(r.counters[label]?.ops, label).toBeGreaterThan(0);
  }, 60_000);

  it('6.12: readers that never sleep holding find nothing', async () => {
    const r = await runKernelStress(options(TREES['6.12'], { sleepFraction: 0 }));
    expect(r.violations).toEqual([]);
    expect(r.audited).toBeGreaterThan(0);
  }, 60_000);

  it('6.12: a reader that sleeps holding a mapping sleeps in atomic context', async () => {
    const r = await runKernelStress(options(TREES['6.12']));
    // the reader reports before it counts as asleep; a migration that then waits for its
    // rwlock_t is writer-waited, and reports from two CPUs may arrive in either order
    const slept = r.violations.find((v) => v.kind === 'slept-in-atomic');
    expect(['slept-in-atomic', 'writer-waited']).toContain(r.violations[0]?.kind);
    expect(slept?.message).toMatch(/preempt_count [1-9]/);
  }, 60_000);

  it('mainline with a zspage write trylock that ignores readers: caught', async () => {
    const tree = mutated(TREES.mainline, [['if (zsl->cnt == ZS_PAGE_UNLOCKED) {', 'if (zsl->cnt == ZS_PAGE_UNLOCKED || zsl->cnt > 0) {']]);
    const r = await runKernelStress({ ...options(tree, { stable: 60 }), durationMs: 5_000 });
    expect(['exclusion', 'integrity']).toContain(r.violations[0]?.kind);
  }, 60_000);
});

describe('run --zsmalloc', () => {
  it('6.12 with readers that never sleep holding passes; with sleeping readers it fails: slept-in-atomic, results written', () => {
    const quiet = cli(['run', '--zsmalloc', TREES['6.12'], '--duration', '2', '--seed', '5', '--scenario', join(ROOT, 'test/fixtures/kernel/no-sleeping-readers.json')]);
    expect(quiet.code, quiet.stdout).toBe(0);
    expect(quiet.summary().verdict).toBe('pass');
    expect(quiet.summary().counters.reader.bytesVerified).toBeGreaterThan(0);
    const fail = cli(['run', '--zsmalloc', TREES['6.12'], '--duration', '5', '--seed', '5']);
    expect(fail.code).toBe(1);
    const s = fail.summary();
    expect(s.verdict).toBe('fail');
    expect(s.violations.map((v: { kind: string }) => v.kind)).toContain('slept-in-atomic');
    expect(fail.stdout).toMatch(/VIOLATION slept-in-atomic/);
    expect(s.rerun).toContain(`--zsmalloc ${TREES['6.12']}`);
  }, 120_000);

  it('bad input exits 2 in one line: a path without zsmalloc.c, a file that does not compile (naming the missing kernel name)', () => {
    const none = cli(['run', '--zsmalloc', join(ROOT, 'test/fixtures'), '--duration', '1']);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/has no mm\/zsmalloc\.c/);
    const tree = mutated(TREES.mainline, [['\tread_lock(&pool->lock);\n\tobj = handle_to_obj(handle);\n\tobj_to_zpdesc(obj, &f_zpdesc);', '\tread_lock(&pool->lock);\n\tfrobnicate_page(handle);\n\tobj = handle_to_obj(handle);\n\tobj_to_zpdesc(obj, &f_zpdesc);']]);
    const bad = cli(['run', '--zsmalloc', tree, '--duration', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/mm\/zsmalloc\.c:\d+:\d+: call to undeclared function 'frobnicate_page'/);
  }, 120_000);
});

describe('check --zsmalloc', () => {
  it('mainline passes the explorer and stress parts with sleeping readers; 6.12 fails them; --lock and --zsmalloc together is bad input', () => {
    const pass = cli(['check', '--zsmalloc', TREES.mainline, '--budget', '6', '--seed', '8', '--json']);
    expect(pass.code, pass.stderr).toBe(0);
    const record = JSON.parse(pass.stdout);
    expect(record.verdict).toBe('pass');
    expect(record.parts.map((p: { part: string }) => p.part)).toEqual(['explore', 'stress: selftest mix', 'stress: default mix']);
    const fail = cli(['check', '--zsmalloc', TREES['6.12'], '--budget', '6', '--seed', '8', '--json', '--fail-fast']);
    expect(fail.code).toBe(1);
    expect(JSON.parse(fail.stdout).kind).toBe('slept-in-atomic');
    const both = cli(['check', '--zsmalloc', TREES.mainline, '--lock', 'zspage-spinlock'], { out: false });
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);
});
