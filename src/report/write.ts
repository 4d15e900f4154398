// The results folder: one .hgrm per metric, the run.hlog interval log, report.html
// and summary.json (last: a folder with it is whole). Each file is written to a
// temporary name and renamed, so a killed run never leaves a file that looks whole.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Histogram } from 'hdr-histogram-js';
import type { CounterSample } from '../coordinator/stats.js';
import { HLOG_FILE, hlogText } from './hlog.js';
import { REPORT_FILE, runReportHtml } from './run-report.js';
import type { Summary } from './summary.js';

/** Everything a run leaves for its reports. */
export interface RunRecord {
  summary: Summary;
  /** Whole-run histograms per metric (JS histograms, ns). */
  totals: Record<string, Histogram>;
  /** Interval histograms in time order, one per stat interval. */
  intervals: { index: number; startMs: number; endMs: number; metrics: Record<string, Histogram | undefined> }[];
  /** Every worker's counters at each stat interval boundary and at the end (worker order as summary.workers). */
  timeline: CounterSample[];
}

export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * A .hgrm percentile distribution of a JS histogram, values in ns. The unit goes in a
 * leading '#' line: HdrHistogram's plotter and the usual parsers skip '#' lines.
 */
export function hgrmText(h: Histogram): string {
  return '#[Unit: ns]\n' + h.outputPercentileDistribution(5, 1);
}

export function writeResults(dir: string, record: RunRecord): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, h] of Object.entries(record.totals)) {
    if (h.totalCount > 0) writeAtomically(join(dir, `${name}.hgrm`), hgrmText(h));
  }
  // A report that cannot be drawn must not cost the run its summary.
  const derived: [string, () => string][] = [
    [HLOG_FILE, () => hlogText(record)],
    [REPORT_FILE, () => runReportHtml(record)],
  ];
  for (const [file, text] of derived) {
    try {
      writeAtomically(join(dir, file), text());
    } catch (err) {
      record.summary.notes.push(`${file} not written: ${(err as Error).message}`);
    }
  }
  writeAtomically(join(dir, 'summary.json'), JSON.stringify(record.summary, null, 2) + '\n');
}
