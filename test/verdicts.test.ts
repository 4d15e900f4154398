// Verdicts: pass only for a run that completed, whose workers all returned and whose final
// audit ran clean. A late deadlock fails, an error is an error, an interruption never passes
// (in summary.json, JUnit and merge), and selftest wants a correct lock to show it worked.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { mergeRuns, type SavedRun } from '../src/coordinator/merge.js';
import { missingEvidence, type SelftestRow } from '../src/coordinator/selftest.js';
import { selftestSuite } from '../src/cli/commands/selftest.js';
import { junitXml, runSuite } from '../src/report/junit.js';
import type { Verdict } from '../src/grading/vocabulary.js';
import type { Summary } from '../src/records/summary.js';
import { ROOT } from './helpers.js';

function summaryOf(verdict: Verdict, ended: Summary['ended'], exitCode: number, seed = 1): Summary {
  return {
    tool: 'zspage-stress',
    version: '0',
    runId: `run-${seed}`,
    verdict,
    ended,
    exitCode,
    seed,
    lock: { name: 'zspage-atomic', ref: 'zspage-atomic', module: null, words: 1 },
    scenario: 'smoke',
    config: { scenario: { statInterval: '1s' } },
    startedAt: '2026-01-01T00:00:00.000Z',
    elapsedMs: 1200,
    violations: [],
    violationCount: 0,
    firstViolationMs: null,
    counters: {},
    workers: [],
    metrics: {},
    audits: { count: 0, objects: 0, bytes: 0, lastMs: 0 },
    coverage: { allStartedMs: 0, counts: {}, firstHitMs: {} },
    notes: verdict === 'error' ? ['reader#0 (seed 1) threw while idle: boom'] : [],
    rerun: `npx zspage-stress replay run-${seed}/summary.json`,
  };
}

const saved = (s: Summary): SavedRun => ({ dir: `/x/${s.runId}`, summary: s, intervals: [] });
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => ['testsuite', 'testcase'].includes(n) });
const harnessCase = (s: Summary) => {
  const suite = parser.parse(junitXml([runSuite(s)])).testsuites.testsuite[0];
  return suite.testcase.find((c: { name: string }) => c.name === 'harness');
};

describe('a lock that deadlocks late in the run', () => {
  it('does not pass: the readers destroyed at the stop are a stall naming what they did and the lock words', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'zss-late-')), 'run');
    // A 3 s run that deadlocks after 500 write unlocks or 1.5 s (a loaded machine may make fewer), stall timeout 60 s, no stutter: only the stop sees it.
    // It keeps going after the first violation (a writer's trylock on a zspage left held): stopped there, no reader may be spinning yet.
    const args = ['run', '--scenario', 'test/fixtures/late-deadlock-scenario.json', '--lock', 'test/fixtures/fault-deadlocks-late.mjs', '--seed', '3', '--keep-going', '--out', out];
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/zspage-stress.js'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DEADLOCK_AFTER_UNLOCKS: '500', DEADLOCK_AFTER_MS: '1500' },
      timeout: 60_000,
    });
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    expect(r.status).toBe(1);
    expect(s).toMatchObject({ verdict: 'fail', ended: 'violation', exitCode: 1 });
    const stall = s.violations.find((v) => v.kind === 'stall');
    // A reader, or a churner writing an object (it read-locks too); the rest queue behind it.
    expect(stall?.message).toMatch(/^(reader|churner)#\d did not return within 2000 ms of the stop and was destroyed, acquiring the read lock on zspage \d+/);
    // The flight recorder shows the stuck call, still inside, on the word a writer left at -1.
    const stuck = stall?.message.split(' ', 1)[0];
    expect(stall?.recent?.find((o) => o.by === stuck && o.status === 'in progress')).toMatchObject({ op: 'readLock', before: [-1] });
    expect(stall?.message).toMatch(/lock words unlike init\(\)'s \[0\] with nobody inside: zspage \d+ \[-1\]/);
    expect(s.notes).toContain('final audit skipped: not every worker returned');
  });
});

describe('JUnit', () => {
  it('a pass is green; an error and an interrupted run are <error>s of the harness case', () => {
    expect(harnessCase(summaryOf('pass', 'completed', 0))).not.toHaveProperty('error');
    expect(harnessCase(summaryOf('error', 'harness-error', 3)).error.message).toContain('threw while idle');
    expect(harnessCase(summaryOf('interrupted', 'interrupted', 130)).error.message).toMatch(/^interrupted after 1\.2 s/);
  });
});

describe('merge', () => {
  const pass = summaryOf('pass', 'completed', 0, 1);
  it.each([
    ['interrupted', summaryOf('interrupted', 'interrupted', 130, 2), 130],
    ['fail', { ...summaryOf('fail', 'violation', 1, 2), violationCount: 1 }, 1],
    ['error', summaryOf('error', 'harness-error', 3, 2), 3],
  ] as const)('a pass and a run with verdict %s merge to %s', (verdict, other, code) => {
    const m = mergeRuns([saved(pass), saved(other)]).summary;
    expect(m.verdict).toBe(verdict);
    expect(m.exitCode).toBe(code);
  });

  it('the worst part wins: error over fail over interrupted', () => {
    const parts = [summaryOf('interrupted', 'interrupted', 143, 2), summaryOf('fail', 'violation', 1, 3), summaryOf('error', 'harness-error', 3, 4)];
    expect(mergeRuns(parts.map(saved)).summary.verdict).toBe('error');
    expect(mergeRuns(parts.slice(0, 2).map(saved)).summary.verdict).toBe('fail');
  });
});

describe('selftest JUnit', () => {
  const row = (lock: string, found: (string | null)[], stressOk: boolean): SelftestRow => ({
    lock,
    expected: 'pass',
    found,
    firstViolationMs: found.map(() => null),
    seeds: found.map((_, i) => i + 1),
    stressOk,
    explorerRule: null,
    explorerFound: null,
    explorerIterations: 10,
    explorerOk: true,
    dir: `/x/${lock}`,
  });
  it('a lock whose run ended in an error is an <error>; one that misbehaved a <failure>; a good one green', () => {
    const xml = junitXml([selftestSuite([row('a', [null], true), row('b', ['exclusion'], false), row('c', ['error'], false), row('d', ['interrupted'], false)], new Date())]);
    const cases = parser.parse(xml).testsuites.testsuite[0].testcase;
    expect(cases.map((c: Record<string, unknown>) => ('failure' in c ? 'failure' : 'error' in c ? 'error' : 'ok'))).toEqual(['ok', 'failure', 'error', 'error']);
  });
});

describe('selftest evidence', () => {
  it('names what a passing run did not show', () => {
    const s = summaryOf('pass', 'completed', 0);
    s.counters = {
      reader: { ops: 10, sleepingReads: 3 },
      migrator: { ops: 5, trylockOk: 4, trylockFail: 0 },
      compactor: { ops: 2, trylockOk: 1, trylockFail: 0, objectsMoved: 0 },
    };
    expect(missingEvidence(s)).toEqual(['trylock failures', 'objects moved']);
    s.counters.compactor = { ops: 2, trylockOk: 1, trylockFail: 1, objectsMoved: 7 };
    expect(missingEvidence(s)).toEqual([]);
  });
});
