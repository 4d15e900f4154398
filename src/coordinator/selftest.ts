// selftest: every correct built-in must pass, every broken one must be caught,
// by a stress run (with the violation it is known for) and by the explorer.
import { join } from 'node:path';
import { explore } from '../explorer/index.js';
import type { ExploreResult } from '../explorer/types.js';
import { accepted } from '../grading/grade.js';
import { findingLine, type CatalogEntry } from '../locks/catalog-entry.js';
import { CATALOG } from '../locks/catalog.js';
import { loadLockDesign, lockSpecFor } from '../locks/registry.js';
import type { Summary } from '../records/summary.js';
import { resolveRunConfig } from './config.js';
import { runStress } from './run.js';

export interface SelftestOptions {
  /** Built-in names, or lock files (a .c or .mjs file must pass). */
  locks: string[];
  /** Seconds a correct lock must run clean. */
  duration: number;
  /** Seconds a broken lock gets to be caught. */
  timeout: number;
  /** Seeds seed, seed + 1, ... seed + seeds - 1: each lock runs once per seed. */
  seed: number;
  seeds: number;
  exploreIterations: number;
  out: string;
}

export interface SelftestRow {
  lock: string;
  expected: string;
  /** Per seed: the violation its stress run found first, else 'error', 'interrupted' or
   *  'no evidence' (a pass that did not show the lock at work); null for a pass with evidence. */
  found: (string | null)[];
  /** Time to the first violation per seed (null: none). */
  firstViolationMs: (number | null)[];
  seeds: number[];
  stressOk: boolean;
  explorerRule: string | null;
  explorerFound: string | null;
  explorerIterations: number;
  explorerOk: boolean;
  dir: string;
  /** Not run, and why (a kernel mutation that does not apply to the tree's version); not a failure. */
  skipped?: string;
  /** False when the row has no explorer part (the kernel selftest's rows). */
  explorerRan?: boolean;
}

export interface SelftestOutcome {
  rows: SelftestRow[];
  /** The exit code of a run a signal interrupted (the selftest stopped there), or null. */
  interrupted: number | null;
}

export async function runSelftest(opts: SelftestOptions, log: (line: string) => void): Promise<SelftestOutcome> {
  const rows: SelftestRow[] = [];
  for (const name of opts.locks) {
    // A lock file must pass, as a correct built-in does.
    const lock: CatalogEntry = Object.hasOwn(CATALOG, name)
      ? CATALOG[name]!
      : { family: 'kernel', design: await loadLockDesign(lockSpecFor(name)), summary: name, stress: { expect: null }, explorer: { expect: null } };
    const correct = lock.stress.expect === null;
    const dir = join(opts.out, name.replace(/^.*[\\/]/, ''));
    const seeds = Array.from({ length: opts.seeds }, (_, i) => opts.seed + i);
    const found: (string | null)[] = [];
    const firstViolationMs: (number | null)[] = [];
    for (const seed of seeds) {
      const cfg = resolveRunConfig({
        scenario: 'selftest',
        lock: name,
        seed,
        duration: correct ? opts.duration : opts.timeout,
        out: opts.seeds > 1 ? join(dir, `seed-${seed}`) : dir,
      });
      const { summary, exitCode } = await runStress(cfg, () => {});
      firstViolationMs.push(summary.firstViolationMs);
      if (summary.verdict === 'fail') found.push(summary.violations[0]?.kind ?? 'unknown');
      else if (summary.verdict !== 'pass') found.push(summary.verdict);
      else {
        const missing = missingEvidence(summary);
        found.push(missing.length > 0 ? 'no evidence' : null);
        if (missing.length > 0) log(`${name} seed ${seed}: passed without showing ${missing.join(', ')}`);
      }
      // A signal stops the selftest: what it has so far is not a verdict on the locks.
      if (summary.ended === 'interrupted') {
        rows.push(row(name, lock, correct, found, firstViolationMs, seeds.slice(0, found.length), null, dir));
        return { rows, interrupted: exitCode };
      }
    }
    const ex = await explore(lock.design, {
      threads: 3,
      ops: 4,
      strategy: 'random',
      depth: 2,
      iterations: opts.exploreIterations,
      seed: opts.seed,
    });
    const r = row(name, lock, correct, found, firstViolationMs, seeds, ex, dir);
    rows.push(r);
    log(formatRow(r));
    if (lock.finding) log(`  ${name}: ${findingLine(name, lock.finding)}`);
  }
  return { rows, interrupted: null };
}

function row(
  name: string,
  lock: CatalogEntry,
  correct: boolean,
  found: (string | null)[],
  firstViolationMs: (number | null)[],
  seeds: number[],
  ex: ExploreResult | null,
  dir: string,
): SelftestRow {
  const explorerFound = ex?.failure?.rule ?? null;
  return {
    lock: name,
    expected: correct ? 'pass' : accepted(lock.stress).join('|'),
    found,
    firstViolationMs,
    seeds,
    // A correct lock must pass and show it worked; a broken one must fail with its own kind.
    stressOk: correct ? found.every((f) => f === null) : found.every((f) => f !== null && accepted(lock.stress).includes(f as never)),
    explorerRule: lock.explorer.expect,
    explorerFound,
    explorerIterations: ex?.iterations ?? 0,
    explorerOk:
      ex !== null && (lock.explorer.expect === null ? explorerFound === null : accepted(lock.explorer).includes(explorerFound as never)),
    dir,
  };
}

/** What a passing run of a correct lock must show: the lock at work under the zspage pattern. */
export function missingEvidence(s: Summary): string[] {
  const sum = (field: string) => Object.values(s.counters).reduce((n, c) => n + (c[field] ?? 0), 0);
  const evidence: [string, number][] = [
    ['sleeping reads', sum('sleepingReads')],
    ['trylock successes', sum('trylockOk')],
    ['trylock failures', sum('trylockFail')],
    ['objects moved', sum('objectsMoved')],
  ];
  return evidence.filter(([, n]) => !(n > 0)).map(([what]) => what);
}

export const SELFTEST_HEADER =
  'lock                                   expected                          stress verdict             first (median/worst)  explorer';

/** Median and worst time to the first violation over the seeds; a seed that found none counts as worst. */
export function detectionTimes(r: SelftestRow): { medianMs: number | null; worstMs: number | null } {
  if (r.firstViolationMs.every((t) => t === null)) return { medianMs: null, worstMs: null };
  const times = r.firstViolationMs.map((t) => t ?? Infinity).sort((a, b) => a - b);
  return { medianMs: times[Math.floor((times.length - 1) / 2)]!, worstMs: times[times.length - 1]! };
}

export function formatRow(r: SelftestRow): string {
  if (r.skipped !== undefined) return `${r.lock.padEnd(38)} ${r.expected.padEnd(33)} skipped: ${r.skipped}`;
  const kinds = [...new Set(r.found.map((f) => f ?? 'pass'))].join(',');
  const verdict = `${r.stressOk ? 'ok' : 'WRONG'}: ${kinds}`;
  const { medianMs, worstMs } = detectionTimes(r);
  const secs = (ms: number | null) => (ms === null ? '-' : ms === Infinity ? 'never' : `${(ms / 1000).toFixed(2)}s`);
  const first = medianMs === null ? '-' : r.seeds.length > 1 ? `${secs(medianMs)}/${secs(worstMs)}` : secs(medianMs);
  const explorer = r.explorerRan === false ? '-' : `${r.explorerOk ? 'ok' : 'WRONG'}: ${r.explorerFound ?? 'pass'} (${r.explorerIterations} it)`;
  return `${r.lock.padEnd(38)} ${r.expected.padEnd(33)} ${verdict.padEnd(26)} ${first.padEnd(21)} ${explorer}`;
}
