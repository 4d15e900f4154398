// JUnit XML for CI systems: a test suite per run, a test case per invariant (violation
// kind) carrying that kind's violations as its failure, and one for the run itself: an
// <error> when the harness failed or a signal cut the run short.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { VIOLATION_KINDS } from '../grading/vocabulary.js';
import type { Summary } from '../records/summary.js';
import { writeAtomically } from './write.js';

export interface JunitCase {
  name: string;
  classname: string;
  failure?: { type: string; message: string; text: string };
  error?: { message: string; text: string };
  skipped?: { message: string };
}

export interface JunitSuite {
  name: string;
  timestamp: string;
  timeSec: number;
  properties: Record<string, string>;
  cases: JunitCase[];
}

// XML 1.0 has no way to write most control characters, nor lone surrogates: drop them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export const escapeXml = (text: string) => text.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

/** A run as a suite: one case per invariant, failed when the run saw violations of that kind. */
export function runSuite(s: Summary, name = `zspage-stress ${s.lock.name} ${s.scenario}`): JunitSuite {
  const classname = `zspage-stress.${s.lock.name}`;
  const unlisted = s.violationCount - s.violations.length;
  const cases: JunitCase[] = VIOLATION_KINDS.map((kind) => {
    const seen = s.violations.filter((v) => v.kind === kind);
    if (seen.length === 0) return { name: kind, classname };
    const lines = seen.map((v) => `at ${v.atMs} ms by ${v.by}: ${v.message}`);
    if (unlisted > 0) lines.push(`(${unlisted} more violations of any kind were counted but not listed)`);
    return {
      name: kind,
      classname,
      failure: {
        type: kind,
        message: `${seen.length} ${kind} violation${seen.length === 1 ? '' : 's'}, first at ${seen[0]!.atMs} ms: ${seen[0]!.message}`,
        text: `${lines.join('\n')}\nrerun: ${s.rerun}`,
      },
    };
  });
  // The run as a whole: an error, or an interruption (the run did not cover its duration), is never green.
  const harness: JunitCase = { name: 'harness', classname };
  if (s.verdict === 'error' || s.ended === 'harness-error') {
    harness.error = { message: s.notes[0] ?? 'harness error', text: s.notes.join('\n') };
  } else if (s.verdict === 'interrupted' || s.ended === 'interrupted') {
    harness.error = {
      message: `interrupted after ${(s.elapsedMs / 1000).toFixed(1)} s, before the end of its duration`,
      text: [...s.notes, `rerun: ${s.rerun}`].join('\n'),
    };
  }
  return {
    name,
    timestamp: s.startedAt.replace(/\.\d+Z$/, ''),
    timeSec: s.elapsedMs / 1000,
    properties: { lock: s.lock.ref, scenario: s.scenario, seed: String(s.seed), verdict: s.verdict, rerun: s.rerun },
    cases: [...cases, harness],
  };
}

export function junitXml(suites: JunitSuite[]): string {
  const a = (v: string | number) => `"${escapeXml(String(v))}"`;
  const count = (cs: JunitCase[], k: 'failure' | 'error' | 'skipped') => cs.filter((c) => c[k]).length;
  const all = suites.flatMap((s) => s.cases);
  const suiteXml = (s: JunitSuite) => {
    const props = Object.entries(s.properties).map(([k, v]) => `      <property name=${a(k)} value=${a(v)}/>`);
    const cases = s.cases.map((c) => {
      const open = `    <testcase name=${a(c.name)} classname=${a(c.classname)}`;
      if (c.failure) return `${open}>\n      <failure type=${a(c.failure.type)} message=${a(c.failure.message)}>${escapeXml(c.failure.text)}</failure>\n    </testcase>`;
      if (c.error) return `${open}>\n      <error message=${a(c.error.message)}>${escapeXml(c.error.text)}</error>\n    </testcase>`;
      if (c.skipped) return `${open}>\n      <skipped message=${a(c.skipped.message)}/>\n    </testcase>`;
      return `${open}/>`;
    });
    return [
      `  <testsuite name=${a(s.name)} tests=${a(s.cases.length)} failures=${a(count(s.cases, 'failure'))} errors=${a(count(s.cases, 'error'))} ` +
        `skipped=${a(count(s.cases, 'skipped'))} timestamp=${a(s.timestamp)} time=${a(s.timeSec.toFixed(3))}>`,
      '    <properties>',
      ...props,
      '    </properties>',
      ...cases,
      '  </testsuite>',
    ].join('\n');
  };
  const time = suites.reduce((t, s) => t + s.timeSec, 0).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="zspage-stress" tests=${a(all.length)} failures=${a(count(all, 'failure'))} errors=${a(count(all, 'error'))} time=${a(time)}>`,
    ...suites.map(suiteXml),
    '</testsuites>',
    '',
  ].join('\n');
}

export function writeJunit(file: string, suites: JunitSuite[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeAtomically(file, junitXml(suites));
}
