// What a run leaves: the coordinator writes it (report/write.ts), merge rebuilds it from
// results folders, and the reports read it.
import type { Histogram } from 'hdr-histogram-js';
import type { Summary } from './summary.js';

/** Each worker's counters (cumulative, in worker order) at one moment of the run. */
export interface CounterSample {
  atMs: number;
  workers: Record<string, number>[];
}

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
