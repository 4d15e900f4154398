// report.html: one run, verdict and violations first, then every parameter, the
// latency plots, trylock outcomes over time and the counters.
import { flatParams } from '../scenario/echo.js';
import { coverageSection } from './coverage.js';
import { intervalPercentiles, percentileGrid, percentileValues, trylockRates } from './curves.js';
import { escapeHtml, formatLatency, htmlTable } from './format.js';
import { HLOG_FILE } from '../records/hlog.js';
import { chartDiv, htmlPage, type ChartSpec } from './html.js';
import type { MetricSummary, Summary } from '../records/summary.js';
import type { RunRecord } from '../records/run-record.js';

export const REPORT_FILE = 'report.html';

export const verdictBadge = (s: Summary) => `<span class="verdict ${s.verdict}">${s.verdict.toUpperCase()}</span>`;

export const PERCENTILE_COLUMNS = ['count', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max'];

export function percentileCells(m: MetricSummary): string[] {
  return [String(m.count), ...[m.mean, m.p50, m.p90, m.p99, m.p999, m.max].map(formatLatency)];
}

export function runReportHtml(record: RunRecord): string {
  const s = record.summary;
  const charts: ChartSpec[] = [];
  const add = (c: ChartSpec) => (charts.push(c), chartDiv(c));
  const metrics = Object.keys(s.metrics);
  const labels = s.workers.map((w) => w.label);

  const body = [
    `<h1>zspage-stress: ${escapeHtml(s.lock.name)} ${verdictBadge(s)}</h1>`,
    `<p>Run <code>${escapeHtml(s.runId)}</code>, started ${escapeHtml(s.startedAt)}, ran ${(s.elapsedMs / 1000).toFixed(1)} s, ` +
      `ended: ${escapeHtml(s.ended)}, exit code ${s.exitCode}.</p>`,
    violationsSection(s),
    // a run on the kernel's own zsmalloc.c has no model protocol states
    Object.keys(s.coverage.counts).length > 0 ? coverageSection(s.coverage, s.elapsedMs) : '',
    parametersSection(s),
    '<h2>Latency</h2>',
    `<p class="note">All values in nanoseconds as recorded; per metric: <code>&lt;metric&gt;.hgrm</code> (percentile distribution), ` +
      `<code>${HLOG_FILE}</code> (interval log, tag = metric).</p>`,
    htmlTable(['metric', ...PERCENTILE_COLUMNS], metrics.map((m) => [m, ...percentileCells(s.metrics[m]!)])),
    ...metrics.map((m) => {
      const h = record.totals[m]!;
      const grid = percentileGrid(h.totalCount);
      const timeline = intervalPercentiles(record.intervals, m);
      return (
        `<h3>${escapeHtml(m)}</h3><div class="grid">` +
        add({
          id: `pct-${m}`,
          title: `${m}: latency by percentile`,
          x: { kind: 'percentile', title: 'percentile', values: grid },
          y: { unit: 'ns', log: true, title: 'latency' },
          series: [{ label: m, values: percentileValues(h, grid) }],
        }) +
        add({
          id: `time-${m}`,
          title: `${m}: p99 and max per interval`,
          x: { kind: 'seconds', title: 'time (s)', values: timeline.x },
          y: { unit: 'ns', log: true, title: 'latency' },
          series: timeline.series,
        }) +
        '</div>'
      );
    }),
    trylockSection(record, labels, add),
    countersSection(s),
  ].join('\n');
  return htmlPage(`zspage-stress ${s.lock.name} ${s.verdict.toUpperCase()} ${s.runId}`, body, charts);
}

/** Write trylocks per second per worker, from the counters sampled at each stat interval (none on the kernel's pool). */
function trylockSection(record: RunRecord, labels: string[], add: (c: ChartSpec) => string): string {
  if (record.timeline.length === 0) return '';
  const charts = trylockRates(record.timeline, labels).map((r) =>
    add({
      id: `trylock-${r.label.replace(/\W/g, '-')}`,
      title: `${r.label}: write trylocks per second`,
      x: { kind: 'seconds', title: 'time (s)', values: r.x },
      y: { unit: 'count', log: false, title: 'successes per second' },
      y2: { unit: 'count', log: false, title: 'failures per second' },
      series: [
        { label: 'successes/s', values: r.successes },
        { label: 'failures/s (right axis)', values: r.failures, right: true },
      ],
    }),
  );
  return `<h2>Trylock outcomes over time</h2><div class="grid">${charts.join('')}</div>`;
}

function violationsSection(s: Summary): string {
  const head = `<h2>Violations: ${s.violationCount}</h2>`;
  const notes = s.notes.length ? `<ul>${s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  if (s.violationCount === 0) return `${head}<p>None.</p>${notes}`;
  const shown = s.violations.length < s.violationCount ? `<p class="note">${s.violations.length} shown; the workers count the rest.</p>` : '';
  const rows = s.violations.map((v) => [v.kind, String(v.atMs), v.by, v.zspage === undefined ? '' : String(v.zspage), v.message]);
  return `${head}<p>First at ${s.firstViolationMs} ms.</p>${shown}${htmlTable(['kind', 'at ms', 'by', 'zspage', 'message'], rows, 'text')}${notes}${recentOpsSection(s)}${recentCallsSection(s)}`;
}

/** The flight recorder's view of the first violation that has one: every worker's last lock operations on its zspage, in order. */
function recentOpsSection(s: Summary): string {
  const v = s.violations.find((x) => x.recent && x.recent.length > 0);
  if (!v) return '';
  const words = (w: number[] | null) => (w ? `[${w.join(', ')}]` : 'still inside');
  const rows = v.recent!.map((o) => [
    o.seqEnd === null ? `${o.seq}..` : `${o.seq}..${o.seqEnd}`,
    `~${o.atMs}`,
    o.by,
    o.op,
    o.status,
    words(o.before),
    words(o.after),
  ]);
  return (
    `<h3>How it happened: lock operations on zspage ${v.zspage}</h3>` +
    `<p class="note">The last lock operations of every worker on zspage ${v.zspage}, as the ${escapeHtml(v.kind)} violation at ${v.atMs} ms found them, ` +
    `in the order they started (seq: starts and ends of lock operations on this zspage; ms: the coordinator's clock, to 25 ms).</p>` +
    htmlTable(['seq', 'ms', 'worker', 'operation', 'status', 'lock words before', 'after'], rows, 'text')
  );
}

/** The kernel pool's flight recorder for the first violation that has one: every CPU's last role steps and zspage-lock events, in order. */
function recentCallsSection(s: Summary): string {
  const v = s.violations.find((x) => x.recentCalls && x.recentCalls.length > 0);
  if (!v) return '';
  const rows = v.recentCalls!.map((o) => [String(o.seq), `~${o.atMs}`, o.by, o.call, o.func ?? '', o.lock ?? '', o.detail]);
  return (
    `<h3>How it happened: the last role steps and zspage-lock events</h3>` +
    `<p class="note">Every CPU's last role steps and zspage-lock events, as the ${escapeHtml(v.kind)} violation at ${v.atMs} ms found them, in the order they happened ` +
    `(a zspage lock's violation: the events on that lock, each after the step its CPU was in; ms: the coordinator's clock, to 25 ms).</p>` +
    htmlTable(['seq', 'ms', 'CPU', 'call', 'in kernel function', 'zspage lock', 'detail'], rows, 'text')
  );
}

function parametersSection(s: Summary): string {
  const { scenario, ...rest } = s.config;
  const rows = [
    ['lock', `${s.lock.name} (${s.lock.ref}, ${s.lock.words} word${s.lock.words === 1 ? '' : 's'})`],
    ['scenario', s.scenario],
    ...Object.entries(rest).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]),
    ...flatParams(scenario).map((p) => p.split(/=(.*)/s, 2) as [string, string]),
    ['tool', `${s.tool} ${s.version}`],
  ];
  return `<h2>Parameters</h2>${htmlTable(['parameter', 'value'], rows, 'text')}<p>Rerun: <code>${escapeHtml(s.rerun)}</code></p>`;
}

function countersSection(s: Summary): string {
  const byRole = Object.entries(s.counters).map(
    ([role, c]) => `<h3>${escapeHtml(role)}s</h3>` + htmlTable(Object.keys(c), [Object.values(c).map(String)]),
  );
  const workers = s.workers.map((w) => [w.label, Object.entries(w.counters).map(([k, v]) => `${k} ${v}`).join(', ')]);
  const audits = `audits: ${s.audits.count}, last at ${s.audits.lastMs} ms (${s.audits.objects} objects, ${s.audits.bytes} bytes checked)`;
  return `<h2>Counters</h2>${byRole.join('')}<h3>per worker</h3>${htmlTable(['worker', 'counters'], workers, 'text')}<p>${escapeHtml(audits)}</p>`;
}
