// A check as JUnit XML for CI test reporters: one suite, a test case per part, failed with
// the part's violation and the command that reproduces it.
import { basename } from 'node:path';
import type { CheckRecord } from './check.js';
import type { JunitCase, JunitSuite } from './junit.js';

export function checkSuite(record: CheckRecord, startedAt: Date): JunitSuite {
  // A lock file's name without its folder and extension: reporters join classname and case name with dots.
  const classname = `zspage-stress.check.${basename(record.lock).replace(/\.[^.]*$/, '')}`;
  const cases = record.parts.map((p): JunitCase => {
    const c: JunitCase = { name: p.part, classname };
    const text = [p.message ?? '', p.replay ? `reproduce: ${p.replay}` : '', p.evidence ?? ''].filter(Boolean).join('\n');
    if (p.verdict === 'fail') c.failure = { type: p.kind ?? 'fail', message: `${p.kind ?? 'fail'}: ${p.message ?? ''}`, text };
    else if (p.verdict !== 'pass') c.error = { message: `${p.verdict}${p.message ? `: ${p.message}` : ''}`, text };
    return c;
  });
  return {
    name: `zspage-stress check ${record.lock}`,
    timestamp: startedAt.toISOString().replace(/\.\d+Z$/, ''),
    timeSec: record.elapsedMs / 1000,
    properties: {
      lock: record.lock,
      seed: String(record.seed),
      budget: `${record.budgetMs / 1000}s`,
      verdict: record.verdict,
      ...(record.replay ? { reproduce: record.replay } : {}),
    },
    cases,
  };
}
