// The protocol states the workers reached (model/coverage), added up over the workers.
import { COUNTER } from '../roles/counters.js';
import { COVERAGE_STATES } from '../model/coverage.js';
import type { CoverageSummary } from '../report/coverage.js';

/** From each worker's counters; first hits in ms since `startEpochMs`. */
export function coverageOf(workers: Float64Array[], startEpochMs: number): CoverageSummary {
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
  return { counts, firstHitMs };
}

/** Several runs' coverage as one: counts added, the earliest first hit. */
export function mergeCoverage(runs: (CoverageSummary | undefined)[]): CoverageSummary {
  const counts: Record<string, number> = {};
  const firstHitMs: Record<string, number | null> = {};
  for (const state of COVERAGE_STATES) {
    const have = runs.filter((r): r is CoverageSummary => r !== undefined && state in r.counts);
    counts[state] = have.reduce((sum, r) => sum + r.counts[state]!, 0);
    const firsts = have.map((r) => r.firstHitMs[state]).filter((ms): ms is number => typeof ms === 'number');
    firstHitMs[state] = firsts.length > 0 ? Math.min(...firsts) : null;
  }
  return { counts, firstHitMs };
}
