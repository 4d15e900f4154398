// Coverage of the lock protocol's interesting states: how often each happened in a
// run, and how soon it was first reached.
import type { CoverageSummary } from '../records/summary.js';
import { htmlTable } from './format.js';

/** Milliseconds from the moment every worker was running to the state's first hit (0 if before), or null. */
export function sinceAllStarted(c: CoverageSummary, state: string): number | null {
  const first = c.firstHitMs[state];
  if (first === null || first === undefined) return null;
  return Math.max(0, first - (c.allStartedMs ?? 0));
}

/** `state count` pairs for the stats line. */
export function coverageLine(c: CoverageSummary): string {
  return Object.entries(c.counts)
    .map(([state, n]) => `${state} ${n}`)
    .join(' ');
}

/** The states never reached, for a note. */
export const unreached = (c: CoverageSummary) => Object.keys(c.counts).filter((s) => c.counts[s] === 0);

export function coverageRows(c: CoverageSummary, elapsedMs: number): string[][] {
  const secs = Math.max(elapsedMs / 1000, 1e-3);
  return Object.entries(c.counts).map(([state, n]) => {
    const first = sinceAllStarted(c, state);
    return [state, String(n), String(Math.round(n / secs)), first === null ? 'never' : String(first)];
  });
}

export const COVERAGE_COLUMNS = ['state', 'count', 'per second', 'first hit (ms after every worker started)'];

export function coverageSection(c: CoverageSummary | undefined, elapsedMs: number): string {
  if (!c) return '';
  return (
    '<h2>Protocol states reached</h2>' +
    '<p class="note">How often each interesting state of the lock protocol happened in this run (outcome counts, as jcstress keeps), ' +
    'and when it was first reached. A state never reached is a window this run could not test.</p>' +
    htmlTable(COVERAGE_COLUMNS, coverageRows(c, elapsedMs), 'text')
  );
}
