// `check --zsmalloc PATH`: the kernel's own zsmalloc.c under the check's stress parts (the
// bug-hunting mix, then the default mix), within the budget; one record as any check.
// The explorer parts need a lock's five operations, which a zsmalloc.c keeps static.
import { join } from 'node:path';
import { checkExitCode, checkVerdictOfRun } from '../grading/grade.js';
import type { CheckVerdict } from '../grading/vocabulary.js';
import { checkPartLine, firstFailure, type CheckPart, type CheckRecord } from '../report/check.js';
import { resolveRunConfig } from './config.js';
import { runKernelRun } from './kernel-run.js';

export interface KernelCheckOptions {
  zsmalloc: string;
  budgetMs: number;
  seed: number;
  out: string;
  failFast: boolean;
}

const MIXES = [
  { part: 'stress: selftest mix', scenario: 'selftest', share: 0.5 },
  { part: 'stress: default mix', scenario: 'default', share: 0.5 },
] as const;
/** Compiling, booting and the final audit, around each part's duration. */
const PART_TAIL_MS = 600;
const MIN_PART_MS = 1000;

export async function runKernelCheck(opts: KernelCheckOptions, log: (line: string) => void): Promise<CheckRecord> {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const parts: CheckPart[] = [];
  for (const mix of MIXES) {
    if (opts.failFast && firstFailure(parts)) break;
    const budgetMs = Math.max(MIN_PART_MS, opts.budgetMs * mix.share - PART_TAIL_MS);
    const cfg = resolveRunConfig({ scenario: mix.scenario, duration: budgetMs / 1000, seed: opts.seed, out: join(opts.out, mix.scenario) });
    const start = now();
    const quiet = () => {};
    const outcome = await runKernelRun(cfg, opts.zsmalloc, quiet);
    const s = outcome.summary;
    const first = s.violations[0];
    const verdict = checkVerdictOfRun(outcome.exitCode);
    const part: CheckPart = {
      part: mix.part,
      ran: `${mix.scenario} scenario on ${opts.zsmalloc}, ${Object.values(s.workers).length} CPUs`,
      verdict,
      budgetMs,
      elapsedMs: Math.round(now() - start),
      failedAfterMs: first ? Math.round(start + first.atMs) : verdict === 'pass' ? null : Math.round(now()),
      kind: first?.kind ?? null,
      message: first?.message ?? (s.notes[0] ?? null),
      replay: verdict === 'pass' ? null : s.rerun.replace(/--seed/, `--duration ${budgetMs / 1000} --seed`),
      evidence: s.violations.length > 0 ? s.violations.slice(0, 5).map((v) => `${v.kind} at ${v.atMs} ms by ${v.by}: ${v.message}`).join('\n') : null,
      exitCode: outcome.exitCode,
      dir: outcome.dir,
    };
    parts.push(part);
    log(checkPartLine(part));
  }
  const first = firstFailure(parts);
  const verdict: CheckVerdict = first?.verdict ?? 'pass';
  return {
    tool: 'zspage-stress',
    command: 'check',
    lock: opts.zsmalloc,
    seed: opts.seed,
    budgetMs: opts.budgetMs,
    elapsedMs: Math.round(now()),
    verdict,
    exitCode: checkExitCode(verdict, first?.exitCode),
    detectedAfterMs: first?.failedAfterMs ?? null,
    kind: first?.kind ?? null,
    part: first?.part ?? null,
    replay: first?.replay ?? null,
    parts,
  };
}
