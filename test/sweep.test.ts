// sweep: a grid of runs (locks x parameter values), keep-going at each point, with a
// table, sweep.csv and sweep.html; and the shipped seed-story sweep file.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../src/coordinator/config.js';
import { BadInputError } from '../src/errors.js';
import { loadSweepFile, parseParamFlag, SWEEP_PARAMS } from '../src/report/sweep-spec.js';
import { cli, type CliRun } from './helpers.js';
import { browserTestsRun, checkPage } from './report-browser.js';

describe('sweep files and flags', () => {
  it('ships seed-story: the three designs of the story against reader hold times, on a scenario that loads', () => {
    const s = loadSweepFile('seed-story');
    expect(s.locks).toEqual(['rwlock', 'zspage-atomic-fixed', 'zspage-spinlock']);
    expect(s.param).toBe('reader-hold');
    expect(s.values[0]).toBe('0');
    const cfg = resolveRunConfig({ scenario: s.scenario, lock: s.locks[0], patch: (sc) => SWEEP_PARAMS[s.param]!.apply(sc, '10ms') });
    expect(cfg.scenario.readers.hold).toEqual({ kind: 'fixed', a: 10e6, b: 10e6 });
    // 12 points of the scenario's duration, well inside 3 minutes with start and stop.
    expect((s.locks.length * s.values.length * cfg.scenario.duration) / 1e9).toBeLessThanOrEqual(120);
  });

  it('rejects unknown parameters and values that do not parse', () => {
    expect(parseParamFlag('reader-hold=0, 50us,1ms')).toEqual({ param: 'reader-hold', values: ['0', '50us', '1ms'] });
    expect(() => parseParamFlag('reader-hold')).toThrow(BadInputError);
    const bad = cli(['sweep', '--lock', 'zspage-atomic-fixed', '--param', 'reader-hold=0,soon'], { out: false });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected a duration such as 0, 50us, 1ms, got 'soon'");
    const unknown = cli(['sweep', '--lock', 'zspage-atomic-fixed', '--param', 'writer-hold=1ms'], { out: false });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown parameter 'writer-hold'");
  });

  it('checks every point before running any: a bad lock stops the sweep at once', () => {
    const r = cli(['sweep', '--lock', 'zspage-atomic-fixed,no-such-lock', '--param', 'reader-hold=0'], { out: false });
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('sweep point');
  });
});

describe('sweep run', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'zss-sweep-')), 'sweep');
  let run: CliRun;
  let rows: Record<string, string>[];
  const summaryOf = (row: Record<string, string>) => JSON.parse(readFileSync(join(dir, row.dir!, 'summary.json'), 'utf8'));

  beforeAll(() => {
    const args = ['--lock', 'rwlock,zspage-atomic-fixed', '--param', 'reader-hold=0,1ms', '--scenario', 'seed-story'];
    run = cli(['sweep', ...args, '--duration', '2', '--seed', '5', '--out', dir], { out: false });
    const [head, ...lines] = readFileSync(join(dir, 'sweep.csv'), 'utf8').trim().split('\n');
    rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [head!.split(',')[i]!, v])));
  });

  it('runs the grid in order and exits 0 when only a lock known to be incorrect failed', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(rows.map((r) => `${r.lock} ${r['reader-hold']}`)).toEqual(['rwlock 0', 'rwlock 1ms', 'zspage-atomic-fixed 0', 'zspage-atomic-fixed 1ms']);
    expect(run.stdout).toMatch(/lock +reader-hold +verdict +violations +trylock fail rate/);
  });

  it('each point is a keep-going run with the parameter set; the table holds its verdict and numbers', () => {
    for (const row of rows) {
      const s = summaryOf(row);
      expect(s.config.keepGoing).toBe(true);
      expect(s.config.scenario.readers.hold).toBe(row['reader-hold']);
      expect(row.verdict).toBe(s.verdict);
      expect(Number(row.violations)).toBe(s.violationCount);
      const ok = s.counters.migrator.trylockOk + s.counters.compactor.trylockOk;
      const fail = s.counters.migrator.trylockFail + s.counters.compactor.trylockFail;
      expect(Number(row.trylockOk)).toBe(ok);
      expect(Number(row.trylockFail)).toBe(fail);
      if (row['reader-hold'] === '0') expect(s.counters.reader.sleepingReads).toBe(0);
      if (row.lock === 'zspage-atomic-fixed') expect(row.verdict).toBe('pass');
    }
  });

  it.runIf(browserTestsRun)('writes sweep.html: the trade-off plots, a line per lock', async () => {
    const page = await checkPage(join(dir, 'sweep.html'));
    expect(page.errors).toEqual([]);
    expect(page.outside).toEqual([]);
    expect(page.charts).toBe(4);
    expect(page.drawn).toBe(4);
    for (const legend of page.legends) expect(legend).toEqual(['reader-hold', 'rwlock', 'zspage-atomic-fixed']);
  });
});
