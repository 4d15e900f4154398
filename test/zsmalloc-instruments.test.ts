// The run's instruments on the kernel's pool, as on the model: a violation carries the
// flight recorder's recent role steps and zspage-lock events; run.hlog has interval
// histograms the existing reader reads; a stutter audit fires in the middle of the run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { Collector } from '../src/coordinator/collector.js';
import { StreamedHlog } from '../src/coordinator/kernel-hlog.js';
import { runKernelStress, type KernelStressOptions } from '../src/coordinator/kernel-stress.js';
import { newJsHistogram } from '../src/records/histogram.js';
import { readHlogTotals } from '../src/records/hlog.js';
import { KernelFlightRecorder, RECENT_PER_CPU, STEP, recentKernelOps } from '../src/zsmalloc/flight.js';
import { KFLIGHT_ENTRIES, kernelLayout } from '../src/zsmalloc/layout.js';
import { cli, ROOT } from './helpers.js';
import { TREES, mainlineWithV5, mutated, stressOptions } from './zsmalloc-mutations.js';

const options = (zsmalloc: string, patch: Partial<KernelStressOptions> = {}, config: Partial<KernelStressOptions['config']> = {}) =>
  stressOptions(zsmalloc, { seed: 2, pages: 1024, ...patch }, config);

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
    // the reporting CPU's last event is the one that broke exclusion: a holder counted in with a writer (or readers) inside
    const own = events.filter((o) => o.by === v!.by);
    expect(own.at(-1)!.call).toBe('inside');
    expect(own.at(-1)!.detail).toMatch(/before: [1-9]\d* writer|writer counted in; before: 0 writer\(s\), [1-9]/);
    // v5's lock annotates its lockdep map from its own functions
    expect(events.map((o) => o.func)).toContain('zspage_read_lock');
    expect(events.some((o) => /^rwsem_acquire/.test(o.call))).toBe(true);
    // and the role steps the CPUs were in: a read, and for a CPU counted in as a writer, only
    // the migration or compaction its role makes (its step may have left its ring by then:
    // each CPU keeps its last KFLIGHT_ENTRIES entries, lock events included)
    const steps = recent.filter((o) => o.lock === null);
    expect(steps.map((o) => o.call)).toContain('zram_read_from_zspool');
    const writers = new Set(events.filter((o) => o.call === 'inside' && o.detail.startsWith('writer')).map((o) => o.by));
    expect(steps.filter((o) => writers.has(o.by)).every((o) => o.call === 'migrate_pages' || o.call === 'zs_compact')).toBe(true);
  }, 120_000);
});

describe('the flight recorder rings', () => {
  it('orders entries across CPUs by the shared sequence, across its wrap, and leaves out entries made after the readout began', () => {
    const L = kernelLayout(16, 2);
    const mem = new Int32Array(new SharedArrayBuffer(L.totalBytes));
    const bytes = new Uint8Array(mem.buffer);
    const cpus = [new KernelFlightRecorder(mem, L, 0), new KernelFlightRecorder(mem, L, 1)];
    mem[L.flight] = 0x7ffffffd; // three entries before the Int32 sequence wraps
    for (let i = 0; i < 6; i++) cpus[i % 2]!.step(STEP.FREE, 0x100 + i);
    const ops = recentKernelOps(mem, bytes, L, ['cpu0', 'cpu1']);
    expect(ops.map((o) => o.detail)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `handle 0x${(0x100 + i).toString(16)}`));
    expect(ops.map((o) => o.by)).toEqual(['cpu0', 'cpu1', 'cpu0', 'cpu1', 'cpu0', 'cpu1']);
    expect(ops.map((o) => o.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    // an entry whose number is past the sequence as the readout reads it was made after the readout began
    cpus[1]!.step(STEP.FREE, 0x200);
    mem[L.flight]!--;
    expect(recentKernelOps(mem, bytes, L, ['cpu0', 'cpu1']).map((o) => o.detail)).toEqual(ops.map((o) => o.detail));
    mem[L.flight]!++;
    expect(recentKernelOps(mem, bytes, L, ['cpu0', 'cpu1']).at(-1)!.detail).toBe('handle 0x200');
    // a ring keeps its last KFLIGHT_ENTRIES; a readout shows each CPU's newest RECENT_PER_CPU, so a busy CPU hides no other
    for (let i = 0; i < 2 * KFLIGHT_ENTRIES; i++) cpus[0]!.step(STEP.MIGRATE, i);
    const last = recentKernelOps(mem, bytes, L, ['cpu0', 'cpu1']);
    expect(last.filter((o) => o.by === 'cpu0')).toHaveLength(RECENT_PER_CPU);
    expect(last.filter((o) => o.by === 'cpu1')).toHaveLength(4);
    expect(last.at(-1)!.detail).toBe(`pfn 0x${(2 * KFLIGHT_ENTRIES - 1).toString(16)}`);
  });
});

describe('the soft lockup with the flight recorder', () => {
  it("a write trylock that waits for readers: the stall carries each CPU's last steps, the stalled writer's among them", async () => {
    const tree = mutated(TREES.mainline, [
      [
        '\tspin_lock(&zsl->lock);\n\tif (zsl->cnt == ZS_PAGE_UNLOCKED) {',
        '\tspin_lock(&zsl->lock);\n\twhile (zsl->cnt != ZS_PAGE_UNLOCKED) {\n\t\tspin_unlock(&zsl->lock);\n\t\tcpu_relax();\n\t\tspin_lock(&zsl->lock);\n\t}\n\tif (zsl->cnt == ZS_PAGE_UNLOCKED) {',
      ],
    ]);
    const r = await runKernelStress(options(tree, { hold: { kind: 'fixed', a: 1.5e9, b: 1.5e9 } }, { sleepFraction: 0.5 }));
    const v = r.violations[0];
    expect(v?.kind).toBe('stall');
    // the CPUs in atomic context, the one whose section began first named first: a reader of
    // the pool lock that queued before the writer took it may be that one (the queued
    // rwlock lets a writer's fast path in while a queued reader has its bias off)
    const stalled = [...v!.message.matchAll(/CPU \d \((\w+#\d)\)/g)].map((m) => m[1]!);
    expect(stalled.length).toBeGreaterThan(0);
    // the step the writer spins in: a migration or a compaction (its trylock's annotation never comes: it spins before it)
    const lastStep = (by: string) => v!.recent!.filter((o) => o.by === by && o.lock === null).at(-1)?.call;
    const writers = stalled.filter((by) => ['migrate_pages', 'zs_compact'].includes(lastStep(by) ?? ''));
    expect(writers.length, stalled.map((by) => `${by}: ${lastStep(by)}`).join(', ')).toBeGreaterThan(0);
    // every CPU that did anything is shown
    expect(new Set(v!.recent!.map((o) => o.by)).size).toBeGreaterThanOrEqual(4);
  }, 120_000);
});

describe('run.hlog.part of a kernel run', () => {
  it('grows by the intervals every CPU has completed, and goes when run.hlog is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zss-'));
    const part = join(dir, 'run.hlog.part');
    const hlog = new StreamedHlog(dir, { startedAt: new Date().toISOString(), version: '0', runId: 'r', lock: 'zsmalloc.c', scenario: 's', seed: 1 }, 2);
    const c = new Collector();
    const h = newJsHistogram();
    h.recordValue(1000);
    const metrics = { 'reader-hold': encodeIntoCompressedBase64(h) };
    const lines = () => readFileSync(part, 'utf8').split('\n').filter((l) => l.startsWith('Tag=')).length;
    c.epochStartMs.push(500);
    c.accept({ type: 'interval', worker: 0, interval: 0, metrics });
    hlog.stream(c);
    expect(lines()).toBe(0); // CPU 1 has not sent interval 0 yet
    c.accept({ type: 'interval', worker: 1, interval: 0, metrics });
    hlog.stream(c);
    hlog.stream(c);
    expect(lines()).toBe(1);
    expect(readHlogTotals(readFileSync(part, 'utf8'))['reader-hold']!.totalCount).toBe(2);
    hlog.close();
    expect(existsSync(part)).toBe(false);
  });
});

describe('run --zsmalloc with the example patch', () => {
  it('tells how the violation happened: summary.json, report.html and the terminal carry the recorded steps and events', () => {
    const tree = mkdtempSync(join(tmpdir(), 'zss-tree-'));
    cpSync(TREES.mainline, tree, { recursive: true });
    const patched = spawnSync('patch', ['-p1', '-s', '-i', join(ROOT, 'examples/zsmalloc/write-trylock-ignores-readers.patch')], { cwd: tree });
    expect(patched.status).toBe(0);
    const r = cli(['run', '--zsmalloc', tree, '--duration', '5', '--seed', '3']);
    expect(r.code, r.stdout).toBe(1);
    const v = r.summary().violations[0];
    expect(['exclusion', 'integrity']).toContain(v.kind);
    expect(v.recentCalls.length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/how it happened: the last role steps and zspage-lock events/);
    expect(r.stdout).toContain(`~${v.recentCalls.at(-1).atMs} ms`);
    const html = readFileSync(join(r.out, 'report.html'), 'utf8');
    expect(html).toContain('How it happened: the last role steps and zspage-lock events');
    expect(html).toContain(v.recentCalls.at(-1).call);
    // the sections that apply: no model protocol states, no trylock counters, every parameter readable
    expect(html).not.toContain('Protocol states reached');
    expect(html).not.toContain('Trylock outcomes over time');
    expect(html).not.toContain('[object Object]');
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
    expect(existsSync(join(r.out, 'run.hlog.part'))).toBe(false);
    // compare reads the run's summary and run.hlog as a model run's
    const compared = cli(['compare', r.out, r.out, '--out', join(r.out, 'compare.html')], { out: false });
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/reader-lock-wait/);
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

  it('a CPU that does not park for a stutter within its time is a stall, with the flight recorder of every CPU', async () => {
    // a reader asleep holding its object for 3 s at a time cannot park within half a second
    const r = await runKernelStress(
      options(TREES.mainline, { durationMs: 8_000, auditEveryMs: 200, parkMs: 500, roles: { reader: 1, churner: 1, compactor: 0, migrator: 0 }, hold: { kind: 'fixed', a: 3e9, b: 3e9 } }, { sleepFraction: 1 }),
    );
    const v = r.violations[0];
    expect(v?.kind).toBe('stall');
    expect(v?.message).toBe('stutter: 1 of 2 CPUs did not park between two steps within 500 ms');
    expect(v!.recent!.filter((o) => o.by === 'reader#0').map((o) => o.call)).toContain('schedule');
  }, 120_000);
});
