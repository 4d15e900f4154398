// compare: two runs side by side in the terminal and in compare.html with the curves overlaid.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliRun } from './helpers.js';
import { browserTestsRun, checkPage } from './report-browser.js';

const dir = mkdtempSync(join(tmpdir(), 'zss-compare-'));
const html = join(dir, 'compare.html');
let compare: CliRun;

beforeAll(() => {
  for (const lock of ['zspage-atomic-fixed', 'zspage-spinlock']) {
    const r = cli(['run', '--scenario', 'smoke', '--duration', '2', '--stat-interval', '0.5', '--seed', '3', '--lock', lock, '--out', join(dir, lock)], { out: false });
    expect(r.code, r.stderr).toBe(0);
  }
  compare = cli(['compare', join(dir, 'zspage-atomic-fixed'), join(dir, 'zspage-spinlock'), '--out', html], { out: false });
});

describe('compare', () => {
  it('prints per metric the percentiles and counts of each run, and the trylock failure rates', () => {
    expect(compare.code, compare.stderr).toBe(0);
    for (const metric of ['reader-lock-wait', 'writer-trylock']) {
      const block = compare.stdout.split('\n\n').find((b) => b.startsWith(`${metric} (ns)`))!;
      expect(block).toMatch(/run +verdict +count +mean +p50 +p90 +p99 +p99\.9 +max/);
      expect(block).toMatch(/zspage-atomic-fixed +PASS +\d+ /);
      expect(block).toMatch(/zspage-spinlock +PASS +\d+ /);
    }
    expect(compare.stdout).toMatch(/write trylocks\n.*fail rate/);
    expect(compare.stdout).toMatch(/zspage-atomic-fixed +PASS +\d+ +\d+ +\d+\.\d\d%/);
  });

  it.runIf(browserTestsRun)('writes compare.html: one overlaid percentile chart per metric, a curve per run', async () => {
    expect(existsSync(html)).toBe(true);
    const page = await checkPage(html);
    expect(page.errors).toEqual([]);
    expect(page.outside).toEqual([]);
    expect(page.charts).toBeGreaterThanOrEqual(4);
    expect(page.drawn).toBe(page.charts);
    for (const legend of page.legends) expect(legend).toEqual(['percentile', 'zspage-atomic-fixed', 'zspage-spinlock']);
    for (const line of page.lines) expect(line.pixels, line.id).toBeGreaterThan(20);
  });

  it('refuses a folder that is not a results folder (exit 2, one line)', () => {
    const r = cli(['compare', dir, '--out', join(dir, 'x.html')], { out: false });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^zspage-stress: compare: .* has no summary\.json/);
  });
});
