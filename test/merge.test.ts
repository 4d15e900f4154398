// --shard and merge: two shards of a short run, merged, must total exactly what the
// shards hold: histogram counts (from run.hlog's encoded histograms), counters, violations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSavedRun, mergeRuns, type SavedRun } from '../src/coordinator/merge.js';
import { parseShard, shardSeed } from '../src/coordinator/shard.js';
import { BadInputError } from '../src/errors.js';
import { readHlogTotals } from '../src/records/hlog.js';
import { cli, type CliRun } from './helpers.js';

const BASE = 4294967295; // the last seed: shard 1 wraps to 0

describe('--shard I/N', () => {
  it('gives N shards N different seeds, base + I modulo 2^32', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    const seeds = Array.from({ length: 8 }, (_, i) => shardSeed(BASE, i));
    expect(new Set(seeds).size).toBe(8);
    expect(seeds.slice(0, 2)).toEqual([BASE, 0]);
  });

  it.each(['2/2', '0/0', '-1/2', '1', 'a/b', '1/2/3'])('rejects %s', (text) => {
    expect(() => parseShard(text)).toThrow(BadInputError);
  });
});

describe('merge', () => {
  let shards: CliRun[];
  let merged: CliRun;
  const summary = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));

  beforeAll(() => {
    // Two workers each: they start quickly on a loaded machine.
    const small = ['--readers', '1', '--migrators', '1', '--compactors', '0', '--churners', '0'];
    shards = [0, 1].map((i) => cli(['run', '--scenario', 'smoke', '--duration', '2', ...small, '--seed', String(BASE), '--shard', `${i}/2`]));
    merged = cli(['merge', shards[0]!.out, shards[1]!.out]);
  });

  it('each shard ran its own seed and says which shard it was', () => {
    for (const [i, s] of shards.entries()) {
      expect(s.code).toBe(0);
      expect(s.summary().seed).toBe(shardSeed(BASE, i));
      expect(s.summary().config.shard).toEqual({ index: i, count: 2, baseSeed: BASE });
    }
  });

  it('sums histograms, counters and violations into one results folder', () => {
    expect(merged.code).toBe(0);
    const m = merged.summary();
    const parts = shards.map((s) => s.summary());
    expect(m.config.seeds).toEqual([0, BASE]);
    expect(m.verdict).toBe('pass');
    expect(Object.keys(m.metrics).length).toBeGreaterThan(0);
    for (const [name, metric] of Object.entries(m.metrics) as [string, { count: number; max: number }][]) {
      expect(metric.count).toBe(parts.reduce((n, p) => n + (p.metrics[name]?.count ?? 0), 0));
      expect(metric.max).toBe(Math.max(...parts.map((p) => p.metrics[name]?.max ?? 0)));
    }
    for (const [role, counters] of Object.entries(m.counters) as [string, Record<string, number>][]) {
      for (const [k, v] of Object.entries(counters)) expect(v).toBe(parts.reduce((n, p) => n + p.counters[role][k], 0));
    }
    expect(m.violationCount).toBe(parts.reduce((n, p) => n + p.violationCount, 0));
    expect(m.workers).toHaveLength(parts.reduce((n, p) => n + p.workers.length, 0));
    // The merged folder's own histograms hold the same totals.
    const hlog = readHlogTotals(readFileSync(join(merged.out, 'run.hlog'), 'utf8'));
    for (const [name, metric] of Object.entries(m.metrics) as [string, { count: number }][]) expect(hlog[name]!.totalCount).toBe(metric.count);
  });

  it('of one folder reproduces its metrics exactly', () => {
    const alone = mergeRuns([loadSavedRun(shards[0]!.out)]);
    expect(alone.summary.metrics).toEqual(shards[0]!.summary().metrics);
  });

  it('notes configs that differ and refuses different locks', () => {
    const a = loadSavedRun(shards[0]!.out);
    const loaded = loadSavedRun(shards[1]!.out);
    const b: SavedRun = { ...loaded, summary: structuredClone(loaded.summary) };
    b.summary.config.scenario = { ...(b.summary.config.scenario as object), duration: '3s' };
    expect(mergeRuns([a, b]).summary.notes.join('\n')).toMatch(/config differs: scenario\.duration = "3s" \(seed 0\), "2s" \(seed 4294967295\)/);
    b.summary.lock = { ...b.summary.lock, name: 'rwsem' };
    expect(() => mergeRuns([a, b])).toThrow(/different locks/);
  });

  it('a merged folder is itself mergeable; a seed given twice is noted', () => {
    const again = cli(['merge', merged.out, shards[0]!.out]);
    expect(again.code).toBe(0);
    const twice = summary(again.out);
    for (const [name, metric] of Object.entries(twice.metrics) as [string, { count: number }][]) {
      expect(metric.count).toBe(merged.summary().metrics[name].count + (shards[0]!.summary().metrics[name]?.count ?? 0));
    }
    expect(twice.notes.join('\n')).toMatch(/seeds run more than once \(not independent samples\): 4294967295/);
  });
});
