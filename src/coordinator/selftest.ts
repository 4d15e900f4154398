// selftest: every correct built-in must pass, every broken one must be caught,
// by a stress run (with the violation it is known for) and by the explorer.
import { join } from 'node:path';
import { explore } from '../explorer/index.js';
import { acceptedKinds, BUILTIN_LOCKS } from '../locks/registry.js';
import { resolveRunConfig } from './config.js';
import { runStress } from './run.js';

export interface SelftestOptions {
  locks: string[];
  /** Seconds a correct lock must run clean. */
  duration: number;
  /** Seconds a broken lock gets to be caught. */
  timeout: number;
  seed: number;
  exploreIterations: number;
  out: string;
}

export interface SelftestRow {
  lock: string;
  expected: string;
  /** The violation the stress run found first, or null. */
  found: string | null;
  firstViolationMs: number | null;
  seed: number;
  stressOk: boolean;
  explorerRule: string | null;
  explorerFound: string | null;
  explorerIterations: number;
  explorerOk: boolean;
  dir: string;
}

export async function runSelftest(opts: SelftestOptions, log: (line: string) => void): Promise<SelftestRow[]> {
  const rows: SelftestRow[] = [];
  for (const name of opts.locks) {
    const lock = BUILTIN_LOCKS[name]!;
    const correct = lock.expect === null;
    const dir = join(opts.out, name);
    const cfg = resolveRunConfig({
      scenario: 'selftest',
      lock: name,
      seed: opts.seed,
      duration: correct ? opts.duration : opts.timeout,
      out: dir,
    });
    const { summary } = await runStress(cfg, () => {});
    const found = summary.violations[0]?.kind ?? (summary.violationCount > 0 ? 'unknown' : null);
    const stressOk = correct ? summary.verdict === 'pass' : found !== null && acceptedKinds(lock).includes(found as never);
    const ex = await explore(lock.design, {
      threads: 3,
      ops: 4,
      strategy: 'random',
      depth: 2,
      iterations: opts.exploreIterations,
      seed: opts.seed,
    });
    const explorerFound = ex.failure?.rule ?? null;
    const row: SelftestRow = {
      lock: name,
      expected: correct ? 'pass' : acceptedKinds(lock).join('|'),
      found,
      firstViolationMs: summary.firstViolationMs,
      seed: cfg.seed,
      stressOk,
      explorerRule: lock.explorerRule,
      explorerFound,
      explorerIterations: ex.iterations,
      explorerOk: explorerFound === lock.explorerRule,
      dir,
    };
    rows.push(row);
    log(formatRow(row));
  }
  return rows;
}

export const SELFTEST_HEADER =
  'lock                                   expected                          stress verdict             first     explorer';

export function formatRow(r: SelftestRow): string {
  const verdict = `${r.stressOk ? 'ok' : 'WRONG'}: ${r.found ?? 'pass'}`;
  const first = r.firstViolationMs === null ? '-' : `${(r.firstViolationMs / 1000).toFixed(2)}s`;
  const explorer = `${r.explorerOk ? 'ok' : 'WRONG'}: ${r.explorerFound ?? 'pass'} (${r.explorerIterations} it)`;
  return `${r.lock.padEnd(38)} ${r.expected.padEnd(33)} ${verdict.padEnd(26)} ${first.padEnd(9)} ${explorer}`;
}
