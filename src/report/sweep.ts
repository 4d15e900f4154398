// A sweep's results: per point (lock x value) the verdict and the trade-off the zspage
// lock is about: how often write trylocks fail, what writers wait, what readers wait.
// A terminal table, sweep.csv and sweep.html with the plots.
import { join } from 'node:path';
import { mustPass } from '../grading/grade.js';
import type { Verdict } from '../grading/vocabulary.js';
import { trylockStats } from './compare.js';
import { escapeHtml, formatLatency, formatPercent, htmlTable, textTable } from './format.js';
import { chartDiv, htmlPage, type ChartSpec } from './html.js';
import { REPORT_FILE } from './run-report.js';
import type { Summary } from '../records/summary.js';
import type { Sweep } from './sweep-spec.js';
import { writeAtomically } from './write.js';

export interface SweepPoint {
  lock: string;
  value: string;
  /** The point's results folder, relative to the sweep's. */
  dir: string;
  verdict: Verdict;
  /** The run ended on a harness error: its numbers are not a measurement. */
  harnessError: boolean;
  /** Whether the lock must pass everywhere (built-ins documented as incorrect may fail). */
  mustPass: boolean;
  violations: number;
  /** Violation kinds as listed in summary.json, with counts. */
  kinds: string;
  trylockOk: number;
  trylockFail: number;
  trylockFailRate: number | null;
  /** p99.9: a writer that waits for sleeping readers shows there, not at p99. */
  writerTrylockP999: number | null;
  readerWaitP99: number | null;
  readerWaitMax: number | null;
  sleepingReads: number;
  readerOpsPerSec: number;
}

export function sweepPoint(s: Summary, lock: string, value: string, dir: string): SweepPoint {
  const kinds = new Map<string, number>();
  for (const v of s.violations) kinds.set(v.kind, (kinds.get(v.kind) ?? 0) + 1);
  // on the kernel pool, a migration zsmalloc refuses is its zspage write trylock failing
  const m = s.config.zsmalloc ? s.counters.migrator : undefined;
  const t = m ? trylockRate(m.migrated ?? 0, m.migrateRefused ?? 0) : trylockStats(s);
  return {
    lock,
    value,
    dir,
    verdict: s.verdict,
    harnessError: s.ended === 'harness-error',
    mustPass: mustPass(lock),
    violations: s.violationCount,
    kinds: [...kinds].map(([k, n]) => `${k} ${n}`).join('; '),
    trylockOk: t.ok,
    trylockFail: t.fail,
    trylockFailRate: t.failRate,
    writerTrylockP999: s.metrics['writer-trylock']?.p999 ?? null,
    readerWaitP99: s.metrics['reader-lock-wait']?.p99 ?? null,
    readerWaitMax: s.metrics['reader-lock-wait']?.max ?? null,
    sleepingReads: s.counters.reader?.sleepingReads ?? 0,
    readerOpsPerSec: Math.round((s.counters.reader?.ops ?? 0) / Math.max(s.elapsedMs / 1000, 1e-3)),
  };
}

const trylockRate = (ok: number, fail: number) => ({ ok, fail, failRate: ok + fail > 0 ? fail / (ok + fail) : null });

/** Points of a lock that must pass but failed: the sweep's exit code. */
export const unexpectedFailures = (points: SweepPoint[]) => points.filter((p) => p.mustPass && p.verdict === 'fail' && !p.harnessError);

const verdictText = (p: SweepPoint) =>
  p.harnessError || p.verdict === 'error' ? 'HARNESS ERROR' : p.verdict !== 'fail' ? p.verdict.toUpperCase() : p.mustPass ? 'FAIL' : 'FAIL (known)';
const latency = (ns: number | null) => (ns === null ? '-' : formatLatency(ns));

function tableRows(sweep: Sweep, points: SweepPoint[]): string[][] {
  const head = ['lock', sweep.param, 'verdict', 'violations', 'trylock fail rate', 'writer trylock p99.9', 'reader wait p99', 'reader wait max', 'sleeping reads', 'reads/s'];
  return [
    head,
    ...points.map((p) => [
      p.lock,
      p.value,
      verdictText(p),
      p.violations ? `${p.violations} (${p.kinds})` : '0',
      formatPercent(p.trylockFailRate),
      latency(p.writerTrylockP999),
      latency(p.readerWaitP99),
      latency(p.readerWaitMax),
      String(p.sleepingReads),
      String(p.readerOpsPerSec),
    ]),
  ];
}

export const sweepText = (sweep: Sweep, points: SweepPoint[]) => textTable(tableRows(sweep, points));

const CSV_COLUMNS: (keyof SweepPoint)[] = [
  'lock', 'value', 'verdict', 'harnessError', 'mustPass', 'violations', 'kinds', 'trylockOk', 'trylockFail', 'trylockFailRate',
  'writerTrylockP999', 'readerWaitP99', 'readerWaitMax', 'sleepingReads', 'readerOpsPerSec', 'dir',
];

const csvCell = (v: unknown) => {
  const text = v === null ? '' : String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** sweep.csv: one row per point; latencies in ns, the parameter's column named after it. */
export function sweepCsv(sweep: Sweep, points: SweepPoint[]): string {
  const head = CSV_COLUMNS.map((c) => (c === 'value' ? sweep.param : c));
  return [head, ...points.map((p) => CSV_COLUMNS.map((c) => p[c]))].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export function sweepHtml(sweep: Sweep, points: SweepPoint[], durationText: string): string {
  const x = { kind: 'category' as const, title: sweep.param, values: sweep.values.map((_, i) => i), labels: sweep.values };
  const perLock = (metric: (p: SweepPoint) => number | null) =>
    sweep.locks.map((lock) => ({
      label: lock,
      values: sweep.values.map((v) => {
        const p = points.find((q) => q.lock === lock && q.value === v);
        return p ? metric(p) : null;
      }),
    }));
  const charts: ChartSpec[] = [
    {
      id: 'trylock-fail',
      title: 'Write trylocks that fail (migration and compaction)',
      x,
      y: { unit: 'percent', log: false, title: 'failed trylocks' },
      series: perLock((p) => (p.trylockFailRate === null ? null : 100 * p.trylockFailRate)),
    },
    { id: 'writer-wait', title: 'What writers wait: writer trylock p99.9', x, y: { unit: 'ns', log: true, title: 'latency' }, series: perLock((p) => p.writerTrylockP999) },
    { id: 'reader-wait', title: 'What readers wait: reader lock wait p99', x, y: { unit: 'ns', log: true, title: 'latency' }, series: perLock((p) => p.readerWaitP99) },
    { id: 'violations', title: 'Violations per run', x, y: { unit: 'count', log: false, title: 'violations' }, series: perLock((p) => p.violations) },
  ];
  const [head, ...rows] = tableRows(sweep, points);
  const linked = rows.map((r, i) => [{ html: `<a href="${escapeHtml(join(points[i]!.dir, REPORT_FILE))}">${escapeHtml(r[0]!)}</a>` }, ...r.slice(1)]);
  const body = [
    `<h1>zspage-stress sweep: ${escapeHtml(sweep.name)}</h1>`,
    sweep.description ? `<p>${escapeHtml(sweep.description)}</p>` : '',
    `<p>Scenario <code>${escapeHtml(sweep.scenario)}</code>, ${escapeHtml(durationText)} per point, keep-going at every point; ` +
      `locks: ${sweep.locks.map((l) => `<code>${escapeHtml(l)}</code>`).join(', ')}; ${escapeHtml(sweep.param)}: ${escapeHtml(sweep.values.join(', '))}.</p>`,
    `<div class="grid">${charts.map(chartDiv).join('')}</div>`,
    `<h2>Points</h2>${htmlTable(head!, linked)}`,
    '<p class="note">FAIL (known): a built-in lock documented as incorrect under sleeping readers. Latencies from each point\'s summary.json; every point links to its report.</p>',
  ].join('\n');
  return htmlPage(`zspage-stress sweep ${sweep.name}`, body, charts);
}

export function writeSweep(dir: string, sweep: Sweep, points: SweepPoint[], durationText: string): void {
  writeAtomically(join(dir, 'sweep.csv'), sweepCsv(sweep, points));
  writeAtomically(join(dir, 'sweep.html'), sweepHtml(sweep, points, durationText));
}
