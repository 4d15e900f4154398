// The protocol states the workers reached (model/coverage), added up over the workers.
import { COUNTER } from '../roles/counters.js';
import { COVERAGE_STATES } from '../model/coverage.js';
import type { CoverageSummary } from '../records/summary.js';
import { sinceAllStarted } from '../report/coverage.js';

/** From each worker's counters; times in ms since `startEpochMs`. */
export function coverageOf(workers: Float64Array[], startEpochMs: number): CoverageSummary {
  const started = workers.map((c) => c[COUNTER.STARTED_AT]!);
  const allStartedMs = started.every((t) => t > 0) ? Math.max(0, Math.round(Math.max(...started) - startEpochMs)) : null;
  const counts: Record<string, number> = {};
  const firstHitMs: Record<string, number | null> = {};
  const n = COVERAGE_STATES.length;
  COVERAGE_STATES.forEach((state, i) => {
    let count = 0;
    let first = Infinity;
    for (const c of workers) {
      count += c[COUNTER.COVERAGE + i]!;
      const at = c[COUNTER.COVERAGE + n + i]!;
      if (at > 0) first = Math.min(first, at);
    }
    counts[state] = count;
    firstHitMs[state] = first === Infinity ? null : Math.max(0, Math.round(first - startEpochMs));
  });
  return { allStartedMs, counts, firstHitMs };
}

/** Several runs' coverage as one: counts added, the earliest first hit. */
export function mergeCoverage(runs: (CoverageSummary | undefined)[]): CoverageSummary {
  const counts: Record<string, number> = {};
  const firstHitMs: Record<string, number | null> = {};
  // Runs started apart: first hits are only comparable to each run's own start.
  const fromStart = runs.map((r) => (r ? (s: string) => sinceAllStarted(r, s) : () => null));
  for (const state of COVERAGE_STATES) {
    counts[state] = runs.reduce((sum, r) => sum + (r?.counts[state] ?? 0), 0);
    const firsts = fromStart.map((f) => f(state)).filter((ms): ms is number => ms !== null);
    firstHitMs[state] = firsts.length > 0 ? Math.min(...firsts) : null;
  }
  return { allStartedMs: 0, counts, firstHitMs };
}
