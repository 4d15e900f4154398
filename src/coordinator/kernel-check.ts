// `check --zsmalloc PATH`: the kernel's own zsmalloc.c under the check's parts within the
// budget: the explorer on small programs of the file (kernel-explore.ts), then the stress
// parts (the bug-hunting mix, then the default mix); one record as any check.
import { join } from 'node:path';
import { checkExitCode, checkVerdictOfRun } from '../grading/grade.js';
import type { CheckVerdict } from '../grading/vocabulary.js';
import { checkPartLine, firstFailure, type CheckPart, type CheckRecord } from '../report/check.js';
import { resolveRunConfig } from './config.js';
import { readZsmallocTree, sourcesHash } from '../zsmalloc/compile.js';
import { exploreKernel, parseKernelReplay, type KernelExploreFailure, type KernelExploreOptions } from './kernel-explore.js';
import { runKernelRun } from './kernel-run.js';

export interface KernelCheckOptions {
  zsmalloc: string;
  budgetMs: number;
  seed: number;
  out: string;
  failFast: boolean;
  /** Readers sleep holding an object (false: zsmalloc before 6.15, whose mapping is atomic context). */
  sleepingReaders?: boolean;
}

/** The tuning of the stress parts whose readers never sleep holding (recorded: replay repeats it). */
const NO_SLEEPING_READERS = { config: { sleepFraction: 0 } } as const;

const MIXES = [
  { part: 'stress: selftest mix', scenario: 'selftest', share: 0.4 },
  { part: 'stress: default mix', scenario: 'default', share: 0.4 },
] as const;
/**
 * The explorer's programs (docs/ZSMALLOC.md), in turns: every program under one schedule,
 * then every program under the next (SCHEDULES), so that each is tried early. A reader
 * against a writer holding its zspage (two migrations of its page); compaction moving an
 * object a reader sleeps holding (its zspage emptied to the sparsest); a reader against
 * migration and a free; frees that empty zspages (each CPU running the deferred free it
 * queued, as its kworker would) against kcompactd's pass over every page; a reader against
 * migration and compaction; compaction, its deferred free and frees against that pass; two
 * compactors; frees against a migration holding a page lock.
 */
const PROGRAMS = [
  'R0/M0,M0',
  'F1,F2,F3,F4/R0s/C',
  'R0s/M0/F1',
  'F0,F1,F2,F3,D/S,S,S/F4,F5,F6,F7,D',
  'R0s/M0/C',
  'C,D/S,S/F0,F1,F2,F5,D',
  'C/C/R0s',
  'F0,F1,F2,F3/M4/D',
];
/** A fifth of the budget, at most 6 s: the races the stress rarely meets need its executions. */
const EXPLORE_SHARE = 0.2;
const EXPLORE_MAX_MS = 6000;
/** A turn's executions run for this long (a cheap program gets more of them than a costly one). */
const TURN_MS = 400;
/** A turn's bound on executions, whatever its time. */
const MAX_TURN_EXECUTIONS = 1000;
/** Compiling, booting and the final audit, around each part's duration. */
const PART_TAIL_MS = 600;
const MIN_PART_MS = 1000;

export async function runKernelCheck(opts: KernelCheckOptions, log: (line: string) => void): Promise<CheckRecord> {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const parts: CheckPart[] = [];
  const explored = await explorePart(opts, Math.min(EXPLORE_MAX_MS, opts.budgetMs * EXPLORE_SHARE), now);
  parts.push(explored);
  log(checkPartLine(explored));
  for (const mix of MIXES) {
    if (opts.failFast && firstFailure(parts)) break;
    const budgetMs = Math.max(MIN_PART_MS, opts.budgetMs * mix.share - PART_TAIL_MS);
    const cfg = resolveRunConfig({ scenario: mix.scenario, duration: budgetMs / 1000, seed: opts.seed, out: join(opts.out, mix.scenario) });
    const start = now();
    const quiet = () => {};
    const outcome = await runKernelRun(cfg, opts.zsmalloc, quiet, opts.sleepingReaders === false ? NO_SLEEPING_READERS : undefined);
    const s = outcome.summary;
    const first = s.violations[0];
    const verdict = checkVerdictOfRun(outcome.exitCode);
    const part: CheckPart = {
      part: mix.part,
      ran: `${mix.scenario} scenario on ${opts.zsmalloc}, ${Object.values(s.workers).length} CPUs${opts.sleepingReaders === false ? ', readers never sleep holding' : ''}`,
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
    zsmalloc: { path: opts.zsmalloc, sha256: sourcesHash(readZsmallocTree(opts.zsmalloc)) },
    seed: opts.seed,
    budgetMs: opts.budgetMs,
    elapsedMs: Math.round(now()),
    verdict,
    exitCode: checkExitCode(verdict, first?.exitCode),
    detectedAfterMs: first?.failedAfterMs ?? null,
    kind: first?.kind ?? null,
    part: first?.part ?? null,
    replay: first?.replay ?? null,
    // no exhaustive part runs on the kernel's code: nothing is proved
    verified: false,
    clients: [],
    parts,
  };
}

/** The schedules in turn: PCT with one priority change, random, PCT with two. */
const SCHEDULES = [
  { strategy: 'pct', depth: 2 },
  { strategy: 'random', depth: 2 },
  { strategy: 'pct', depth: 3 },
] as const;

/** The explore part's setup for one program (its schedule's strategy and seed come with it). */
const exploreSetup = (zsmalloc: string, program: string, depth: number): Omit<KernelExploreOptions, 'strategy' | 'seed'> =>
  ({ zsmalloc, program, depth, iterations: MAX_TURN_EXECUTIONS, objects: 8, objectSize: 1000, maxSteps: 200_000 });

/** One execution of the explore part again, from its `PROGRAM@STRATEGY:SEED:N` and PCT depth: its failure, or null. */
export async function replayKernelExplorePart(zsmalloc: string, schedule: string, depth: number): Promise<KernelExploreFailure | null> {
  const { program, strategy, seed, execution } = parseKernelReplay(schedule);
  return (await exploreKernel({ ...exploreSetup(zsmalloc, program, depth), strategy, seed, only: execution })).failure;
}

/** Each program in turn, under each schedule, a few executions a turn, until a failure or the time is up. */
async function explorePart(opts: KernelCheckOptions, budgetMs: number, now: () => number): Promise<CheckPart> {
  const start = now();
  let executions = 0;
  for (let turn = 0; now() - start < budgetMs; turn++) {
    const written = PROGRAMS[turn % PROGRAMS.length]!;
    // a reader that may not sleep holding reads without its sleep point (R0s: R0)
    const program = opts.sleepingReaders === false ? written.replace(/R(\d+)s/g, 'R$1') : written;
    const { strategy, depth } = SCHEDULES[Math.floor(turn / PROGRAMS.length) % SCHEDULES.length]!;
    const seed = (opts.seed + Math.floor(turn / (SCHEDULES.length * PROGRAMS.length))) >>> 0;
    const r = await exploreKernel({ ...exploreSetup(opts.zsmalloc, program, depth), strategy, seed, sliceMs: TURN_MS });
    executions += r.iterations;
    if (r.failure) {
      return {
        part: 'explore',
        ran: `${PROGRAMS.length} programs, random+pct`,
        verdict: 'fail',
        budgetMs,
        elapsedMs: Math.round(now() - start),
        failedAfterMs: Math.round(now()),
        kind: r.failure.kind,
        message: r.failure.message,
        replay: `npx zspage-stress explore --zsmalloc ${opts.zsmalloc}${strategy === 'pct' ? ` --depth ${depth}` : ''} --replay '${r.failure.replay}'`,
        evidence: `${r.failure.kind} after ${r.failure.steps} kernel calls of execution ${r.failure.replay}: ${r.failure.message}`,
        iterations: executions,
      };
    }
  }
  const ran = `${PROGRAMS.length} programs, random+pct`;
  return { part: 'explore', ran, verdict: 'pass', budgetMs, elapsedMs: Math.round(now() - start), failedAfterMs: null, kind: null, message: null, replay: null, evidence: null, iterations: executions };
}
