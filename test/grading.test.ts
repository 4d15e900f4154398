// Grading (src/grading/grade.ts): the one verdict order, the exit codes and what each
// design must show, as run, check, selftest, merge and sweep use them.
import { describe, expect, it } from 'vitest';
import {
  accepted,
  checkExitCode,
  checkVerdictOfRun,
  EXIT,
  gradeRun,
  mergedExitCode,
  mustPass,
  savedVerdict,
  selftestExitCode,
  sweepExitCode,
  worseEnding,
  worseVerdict,
} from '../src/grading/grade.js';
import { CATALOG, entriesOf } from '../src/locks/catalog.js';

describe('grading', () => {
  it('orders verdicts: error over fail over interrupted over pass', () => {
    expect((['pass', 'interrupted', 'fail', 'error'] as const).reduce(worseVerdict)).toBe('error');
    expect(worseVerdict('fail', 'interrupted')).toBe('fail');
    expect(worseVerdict('pass', 'interrupted')).toBe('interrupted');
    expect(worseEnding('violation', 'completed')).toBe('violation');
    expect(worseEnding('interrupted', 'harness-error')).toBe('harness-error');
    expect(savedVerdict('pass', 'interrupted')).toBe('interrupted');
  });

  it('grades a run: a harness error first, then violations, then a signal', () => {
    expect(gradeRun({ harnessError: 'x', violations: 3, interrupted: 'SIGINT' })).toEqual({ verdict: 'error', exitCode: 3, ended: 'harness-error' });
    expect(gradeRun({ harnessError: null, violations: 3, interrupted: 'SIGTERM' })).toEqual({ verdict: 'fail', exitCode: 143, ended: 'interrupted' });
    expect(gradeRun({ harnessError: null, violations: 1, interrupted: null })).toEqual({ verdict: 'fail', exitCode: 1, ended: 'violation' });
    expect(gradeRun({ harnessError: null, violations: 0, interrupted: 'SIGINT' })).toEqual({ verdict: 'interrupted', exitCode: 130, ended: 'interrupted' });
    expect(gradeRun({ harnessError: null, violations: 0, interrupted: null })).toEqual({ verdict: 'pass', exitCode: 0, ended: 'completed' });
  });

  it("reads a stress part's verdict back from its run's exit code", () => {
    expect([0, 1, 3, 130, 143].map(checkVerdictOfRun)).toEqual(['pass', 'fail', 'harness-error', 'interrupted', 'interrupted']);
    expect(checkExitCode('interrupted', 143)).toBe(143);
    expect(checkExitCode('interrupted', undefined)).toBe(130);
    expect(checkExitCode('harness-error', undefined)).toBe(EXIT.harness);
  });

  it('exit codes of merge, selftest and sweep', () => {
    expect(mergedExitCode('interrupted', 143)).toBe(143);
    expect(mergedExitCode('fail', 143)).toBe(EXIT.violation);
    expect(selftestExitCode(0, null)).toBe(EXIT.pass);
    expect(selftestExitCode(2, null)).toBe(EXIT.violation);
    expect(selftestExitCode(0, 130)).toBe(130);
    expect(sweepExitCode(true, 0)).toBe(EXIT.harness);
    expect(sweepExitCode(false, 1)).toBe(EXIT.violation);
  });

  it("what each design must show comes from the catalog", () => {
    expect(mustPass('zspage-spinlock')).toBe(true);
    expect(mustPass('zspage-atomic')).toBe(false);
    expect(mustPass('busted-relaxed-trylock')).toBe(true); // stress runs cannot see weak-memory bugs
    expect(mustPass('./my-lock.mjs')).toBe(true);
    expect(accepted(CATALOG['busted-forgotten-unlock']!.stress)).toEqual(['trylock-failed-free', 'audit']);
    expect(accepted(CATALOG['zspage-spinlock']!.explorer)).toEqual([]);
    for (const [name, e] of entriesOf('weak')) expect(e.weak === null || typeof e.weak === 'string', name).toBe(true);
  });
});
