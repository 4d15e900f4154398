// summary.json: the verdict, every parameter, violations, counters and metrics.
import type { Histogram } from 'hdr-histogram-js';
import type { Ending, Verdict } from '../grading/vocabulary.js';
import type { Violation } from './violation.js';

/** The lock protocol's interesting states reached in a run (report/coverage.ts). */
export interface CoverageSummary {
  /** Milliseconds from the start of the run until every worker was running (null: some never did). */
  allStartedMs: number | null;
  /** Hits per state over the run, every worker. */
  counts: Record<string, number>;
  /** Milliseconds from the start of the run to each state's first hit; null: never reached. */
  firstHitMs: Record<string, number | null>;
}

export interface MetricSummary {
  unit: 'ns';
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface Summary {
  tool: 'zspage-stress';
  version: string;
  runId: string;
  verdict: Verdict;
  /** Why the run ended: its duration, a violation, a stall, a harness error or a signal. */
  ended: Ending;
  exitCode: number;
  seed: number;
  /** `ref` as named on the command line; `module` the file URL of a lock module (null for a built-in). */
  lock: {
    name: string;
    ref: string;
    module: string | null;
    words: number;
    /** A lock compiled from source: its copy in the results folder, the source's sha256, and
     *  the build's (source, kernel shim, flags and compiler: the compile cache's key). */
    source?: { file: string; sha256: string; build: string };
  };
  scenario: string;
  config: Record<string, unknown>;
  startedAt: string;
  elapsedMs: number;
  violations: Violation[];
  violationCount: number;
  firstViolationMs: number | null;
  counters: Record<string, Record<string, number>>;
  workers: { label: string; counters: Record<string, number> }[];
  /** The lock protocol's interesting states reached (report/coverage). */
  coverage: CoverageSummary;
  metrics: Record<string, MetricSummary>;
  audits: { count: number; objects: number; bytes: number; lastMs: number };
  notes: string[];
  rerun: string;
}

export function summarizeHistogram(h: Histogram): MetricSummary {
  return {
    unit: 'ns',
    count: h.totalCount,
    mean: Math.round(h.mean),
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
  };
}
