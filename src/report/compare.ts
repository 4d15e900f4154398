// compare: runs side by side, per metric: percentiles and counts, and the write
// trylock failure rates; a terminal table and compare.html with the curves overlaid.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Histogram } from 'hdr-histogram-js';
import { BadInputError, errorMessage } from '../errors.js';
import { flatParams } from '../scenario/echo.js';
import { percentileGrid, percentileValues } from './curves.js';
import { escapeHtml, formatPercent, htmlTable, textTable } from './format.js';
import { HLOG_FILE, readHlogTotals } from '../records/hlog.js';
import { chartDiv, htmlPage, type ChartSpec } from './html.js';
import { PERCENTILE_COLUMNS, percentileCells, REPORT_FILE, verdictBadge } from './run-report.js';
import type { Summary } from '../records/summary.js';

export interface LoadedRun {
  dir: string;
  /** The lock's name, or the folder's name where two runs share a lock. */
  label: string;
  summary: Summary;
  /** Whole-run histograms per metric, summed from run.hlog. */
  totals: Record<string, Histogram>;
}

export function loadRuns(dirs: string[], cwd = process.cwd()): LoadedRun[] {
  const runs = dirs.map((d) => {
    const dir = resolve(cwd, d);
    /** A file of the folder, parsed; any failure is bad input naming the file. */
    const read = <T>(name: string, parse: (text: string) => T): T => {
      const path = join(dir, name);
      if (!existsSync(path)) throw new BadInputError(`compare: ${d} has no ${name} (not a results folder, or an unfinished run)`);
      try {
        return parse(readFileSync(path, 'utf8'));
      } catch (err) {
        throw new BadInputError(`compare: ${d}/${name} cannot be read: ${errorMessage(err).split('\n', 1)[0]}`);
      }
    };
    const summary = read('summary.json', (text) => JSON.parse(text) as Summary);
    if (summary.tool !== 'zspage-stress') throw new BadInputError(`compare: ${d}/summary.json is not a zspage-stress summary`);
    return { dir, label: summary.lock.name, summary, totals: read(HLOG_FILE, readHlogTotals) };
  });
  for (const r of runs) if (runs.filter((o) => o.label === r.summary.lock.name).length > 1) r.label = basename(r.dir);
  return runs;
}

/** Write trylocks of one role (migrator, compactor) or all writers: successes, failures and the failure rate. */
export function trylockStats(s: Summary, role?: 'migrator' | 'compactor') {
  let ok = 0;
  let fail = 0;
  for (const r of role ? [role] : ['migrator', 'compactor']) {
    ok += s.counters[r]?.trylockOk ?? 0;
    fail += s.counters[r]?.trylockFail ?? 0;
  }
  return { ok, fail, failRate: ok + fail > 0 ? fail / (ok + fail) : null };
}

const metricNames = (runs: LoadedRun[]) => [...new Set(runs.flatMap((r) => Object.keys(r.summary.metrics)))];

const dash = (n: number) => Array<string>(n).fill('-');

function metricRows(runs: LoadedRun[], metric: string): string[][] {
  return runs.map((r) => {
    const m = r.summary.metrics[metric];
    return [r.label, r.summary.verdict.toUpperCase(), ...(m ? percentileCells(m) : dash(PERCENTILE_COLUMNS.length))];
  });
}

const TRYLOCK_COLUMNS = ['verdict', 'migrate ok', 'migrate fail', 'fail rate', 'compact ok', 'compact fail', 'fail rate'];

function trylockRows(runs: LoadedRun[]): string[][] {
  return runs.map((r) => {
    const cells = (role: 'migrator' | 'compactor') => {
      const t = trylockStats(r.summary, role);
      return [String(t.ok), String(t.fail), formatPercent(t.failRate)];
    };
    return [r.label, r.summary.verdict.toUpperCase(), ...cells('migrator'), ...cells('compactor')];
  });
}

export function compareText(runs: LoadedRun[]): string {
  const blocks = metricNames(runs).map((m) => `${m} (ns)\n${textTable([['run', 'verdict', ...PERCENTILE_COLUMNS], ...metricRows(runs, m)])}`);
  blocks.push(`write trylocks\n${textTable([['run', ...TRYLOCK_COLUMNS], ...trylockRows(runs)])}`);
  return blocks.join('\n\n');
}

/** The scenario parameters whose values differ between the runs: what the comparison is about. */
function differingParams(runs: LoadedRun[]): { key: string; values: string[] }[] {
  const maps = runs.map((r) => new Map(flatParams(r.summary.config.scenario).map((p) => p.split(/=(.*)/s, 2) as [string, string])));
  const keys = [...new Set(maps.flatMap((m) => [...m.keys()]))].filter((k) => k !== 'seed');
  return keys
    .map((key) => ({ key, values: maps.map((m) => m.get(key) ?? '-') }))
    .filter(({ values }) => new Set(values).size > 1);
}

export function compareHtml(runs: LoadedRun[]): string {
  const charts: ChartSpec[] = [];
  const runRows = runs.map((r) => [
    r.label,
    { html: verdictBadge(r.summary) },
    String(r.summary.violationCount),
    r.summary.scenario,
    String(r.summary.seed),
    `${(r.summary.elapsedMs / 1000).toFixed(1)} s`,
    { html: `<a href="${escapeHtml(join(r.dir, REPORT_FILE))}">${escapeHtml(r.dir)}</a>` },
  ]);
  const differing = differingParams(runs);
  const metrics = metricNames(runs).map((m) => {
    const hs = runs.map((r) => r.totals[m]);
    const grid = percentileGrid(Math.max(...hs.map((h) => h?.totalCount ?? 1)));
    const chart: ChartSpec = {
      id: `pct-${m}`,
      title: `${m}: latency by percentile`,
      x: { kind: 'percentile', title: 'percentile', values: grid },
      y: { unit: 'ns', log: true, title: 'latency' },
      series: runs.map((r, i) => ({ label: r.label, values: hs[i] ? percentileValues(hs[i], grid) : grid.map(() => null) })),
    };
    charts.push(chart);
    return `<h3>${escapeHtml(m)}</h3>${htmlTable(['run', 'verdict', ...PERCENTILE_COLUMNS], metricRows(runs, m))}${chartDiv(chart)}`;
  });
  const body = [
    `<h1>zspage-stress: compare ${runs.length} runs</h1>`,
    htmlTable(['run', 'verdict', 'violations', 'scenario', 'seed', 'ran', 'results'], runRows),
    differing.length
      ? `<h2>Parameters that differ</h2>${htmlTable(['parameter', ...runs.map((r) => r.label)], differing.map((d) => [d.key, ...d.values]), 'text')}`
      : '<p class="note">The runs share every scenario parameter but the seed.</p>',
    `<h2>Write trylocks</h2>${htmlTable(['run', ...TRYLOCK_COLUMNS], trylockRows(runs))}`,
    '<h2>Latency</h2>',
    ...metrics,
  ].join('\n');
  return htmlPage(`zspage-stress compare: ${runs.map((r) => r.label).join(', ')}`, body, charts);
}
