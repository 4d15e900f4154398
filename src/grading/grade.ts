// Grading: the verdict order, the exit codes and what each design must show, for run, check,
// selftest, merge and sweep alike.
import { CATALOG } from '../locks/catalog.js';
import type { ExhaustiveStatus } from '../explorer/types.js';
import type { CheckVerdict, Ending, Expectation, Verdict } from './vocabulary.js';

export const EXIT = { pass: 0, violation: 1, badInput: 2, harness: 3 } as const;

export type StopSignal = 'SIGINT' | 'SIGTERM';
/** A run a signal stopped exits as a shell reports a process the signal killed. */
export const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** Worst first when runs are merged: an error hides what a run found, a fail is a finding, an interrupted run proves nothing. */
const VERDICT_RANK: Record<Verdict, number> = { pass: 0, interrupted: 1, fail: 2, error: 3 };
export const worseVerdict = (a: Verdict, b: Verdict): Verdict => (VERDICT_RANK[b] > VERDICT_RANK[a] ? b : a);
/** The same order for why merged runs ended. */
const ENDING_RANK: Record<Ending, number> = { completed: 0, interrupted: 1, violation: 2, 'harness-error': 3 };
export const worseEnding = (a: Ending, b: Ending): Ending => (ENDING_RANK[b] > ENDING_RANK[a] ? b : a);

/** How one stress run ended, as its verdict, exit code and `ended` say. */
export interface RunEnd {
  harnessError: string | null;
  violations: number;
  interrupted: StopSignal | null;
}

export function gradeRun({ harnessError, violations, interrupted }: RunEnd): { verdict: Verdict; exitCode: number; ended: Ending } {
  const verdict: Verdict = harnessError !== null ? 'error' : violations > 0 ? 'fail' : interrupted ? 'interrupted' : 'pass';
  const exitCode = harnessError !== null ? EXIT.harness : interrupted ? SIGNAL_EXIT[interrupted] : violations > 0 ? EXIT.violation : EXIT.pass;
  const ended: Ending = harnessError ? 'harness-error' : interrupted ? 'interrupted' : violations > 0 ? 'violation' : 'completed';
  return { verdict, exitCode, ended };
}

/** A saved run's verdict: an interrupted run never counts as a pass, whatever its file says. */
export const savedVerdict = (verdict: Verdict, ended: Ending): Verdict => (verdict === 'pass' && ended === 'interrupted' ? 'interrupted' : verdict);

/** A merged record's exit code: an interrupted one keeps the exit code of its interrupted run. */
export function mergedExitCode(verdict: Verdict, interruptedExitCode: number): number {
  return verdict === 'error' ? EXIT.harness : verdict === 'fail' ? EXIT.violation : verdict === 'interrupted' ? interruptedExitCode : EXIT.pass;
}

const CHECK_EXIT: Record<CheckVerdict, number> = {
  pass: EXIT.pass,
  fail: EXIT.violation,
  'harness-error': EXIT.harness,
  interrupted: SIGNAL_EXIT.SIGINT,
};

/** A check's exit code: an interrupted one exits with its interrupted stress run's code, if any. */
export function checkExitCode(verdict: CheckVerdict, partExitCode: number | undefined): number {
  return verdict === 'interrupted' ? (partExitCode ?? CHECK_EXIT.interrupted) : CHECK_EXIT[verdict];
}

/** A stress part's verdict from its run's exit code: 3 a harness error, 130/143 a signal, 1 a violation. */
export function checkVerdictOfRun(exitCode: number): CheckVerdict {
  return exitCode === EXIT.harness ? 'harness-error' : exitCode > EXIT.harness ? 'interrupted' : exitCode === EXIT.violation ? 'fail' : 'pass';
}

/** selftest: a signal's exit code if one stopped it, else whether every lock was as expected. */
export function selftestExitCode(wrong: number, interrupted: number | null): number {
  return interrupted ?? (wrong === 0 ? EXIT.pass : EXIT.violation);
}

/** sweep: a harness error wins; else a point of a lock that must pass but failed is a violation. */
export function sweepExitCode(harnessError: boolean, unexpectedFailures: number): number {
  return harnessError ? EXIT.harness : unexpectedFailures > 0 ? EXIT.violation : EXIT.pass;
}

/** The kinds (or rules) a run may fail with and still be caught for its own bug (empty: must pass). */
export function accepted<K extends string>(e: Expectation<K>): K[] {
  return e.expect ? [e.expect, ...(e.alsoSeen ?? [])] : [];
}

/** Whether a lock must pass: a lock file must; a built-in as the catalog says. */
export function mustPass(lock: string): boolean {
  return Object.hasOwn(CATALOG, lock) ? CATALOG[lock]!.stress.expect === null : true;
}

/** What check's exhaustive part proved: verified only when every planned client and model ended verified. */
export type Proof = 'verified' | 'not verified: budget' | 'failed';

/** `incomplete` (the budget ended first, or a signal) is never verified; one failure fails the proof. */
export function proofOf(statuses: readonly ExhaustiveStatus[], planned: number): Proof {
  if (statuses.includes('failed')) return 'failed';
  return statuses.length === planned && statuses.every((s) => s === 'verified') ? 'verified' : 'not verified: budget';
}
