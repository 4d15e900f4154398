// check --junit: a test case per part, a failed part carrying its violation and reproduce command.
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import type { CheckPart, CheckRecord } from '../src/report/check.js';
import { checkSuite } from '../src/report/check-junit.js';
import { junitXml } from '../src/report/junit.js';

const part = (p: Partial<CheckPart> & Pick<CheckPart, 'part'>): CheckPart => ({
  ran: 'x',
  verdict: 'pass',
  budgetMs: 1000,
  elapsedMs: 900,
  failedAfterMs: null,
  kind: null,
  message: null,
  replay: null,
  evidence: null,
  ...p,
});

const record = (parts: CheckPart[]): CheckRecord => {
  const failed = parts.find((p) => p.verdict !== 'pass');
  return {
    tool: 'zspage-stress',
    command: 'check',
    lock: 'src/locks/my-lock.mjs',
    seed: 7,
    budgetMs: 3000,
    elapsedMs: 2500,
    verdict: failed?.verdict ?? 'pass',
    exitCode: failed ? 1 : 0,
    detectedAfterMs: failed?.failedAfterMs ?? null,
    kind: failed?.kind ?? null,
    part: failed?.part ?? null,
    replay: failed?.replay ?? null,
    verified: false,
    clients: [],
    parts,
  };
};

const parse = (r: CheckRecord) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testcase' }).parse(
    junitXml([checkSuite(r, new Date('2026-11-28T07:00:00.123Z'))]),
  ).testsuites.testsuite;

describe('check as JUnit XML', () => {
  it('a passing check: one passed case per part', () => {
    const suite = parse(record([part({ part: 'explore' }), part({ part: 'stress: selftest mix' })]));
    expect(suite).toMatchObject({ tests: '2', failures: '0', errors: '0', timestamp: '2026-11-28T07:00:00' });
    expect(suite.testcase.map((c: any) => [c.name, c.classname, c.failure])).toEqual([
      ['explore', 'zspage-stress.check.my-lock', undefined],
      ['stress: selftest mix', 'zspage-stress.check.my-lock', undefined],
    ]);
  });

  it('a failed part fails its case with the violation, the reproduce command and the evidence', () => {
    const replay = "zspage-stress explore --lock src/locks/my-lock.mjs --replay 'RW/RR@0,1'";
    const suite = parse(
      record([
        part({ part: 'explore', verdict: 'fail', kind: 'exclusion', message: 'T1 writeTrylock returned true', replay, evidence: '#0 T0 readLock' }),
        part({ part: 'stress: selftest mix', verdict: 'harness-error', message: 'worker died' }),
      ]),
    );
    expect(suite).toMatchObject({ tests: '2', failures: '1', errors: '1' });
    const [failed, errored] = suite.testcase;
    expect(failed.failure).toMatchObject({ type: 'exclusion', message: 'exclusion: T1 writeTrylock returned true' });
    expect(failed.failure['#text']).toContain(`reproduce: ${replay}`);
    expect(failed.failure['#text']).toContain('#0 T0 readLock');
    expect(errored.error).toMatchObject({ message: 'harness-error: worker died' });
    expect(suite.properties.property).toContainEqual({ name: 'reproduce', value: replay });
  });
});
