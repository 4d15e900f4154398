// The results folder: summary.json and one .hgrm per metric, each written to a
// temporary name and renamed, so a killed run never leaves a file that looks whole.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Histogram } from 'hdr-histogram-js';
import type { Summary } from './summary.js';

/** Everything a run leaves for its reports. */
export interface RunRecord {
  summary: Summary;
  /** Whole-run histograms per metric (JS histograms, ns). */
  totals: Record<string, Histogram>;
  /** Interval histograms in time order, one per stat interval. */
  intervals: { index: number; startMs: number; endMs: number; metrics: Record<string, Histogram | undefined> }[];
}

export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** A .hgrm percentile distribution of a (JS) histogram, values in ns. */
export function hgrmText(h: Histogram): string {
  return h.outputPercentileDistribution(5, 1);
}

export function writeResults(dir: string, record: RunRecord): void {
  const { summary } = record;
  mkdirSync(dir, { recursive: true });
  for (const [name, h] of Object.entries(record.totals)) {
    if (h.totalCount > 0) writeAtomically(join(dir, `${name}.hgrm`), hgrmText(h));
  }
  writeAtomically(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
}
