// `zspage-stress litmus`: read C-litmus files, check each against the Linux-kernel memory
// model (the axiomatic checker of lkmm/), and compare with the Result the file states.
import { readFileSync } from 'node:fs';
import { BadInputError } from '../../errors.js';
import { parseLkFile } from './lkmm/file.js';
import { checkLitmus, type LkResult } from './lkmm/lkmm.js';

export { parseLitmus, type Litmus, type Outcome } from './parse.js';
export { runLitmus, type LitmusResult } from './run.js';
export { parseLkFile, type LkTest } from './lkmm/file.js';
export { checkLitmus, type LkResult } from './lkmm/lkmm.js';

export function runLitmusFile(file: string): LkResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BadInputError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return checkLitmus(parseLkFile(text, file));
}

/** One line per test (name, observed, the comparison with the file's Result), then the witness. */
export function formatLitmusLine(r: LkResult): string {
  const verdict =
    r.expected === null
      ? 'no Result line to compare'
      : r.agrees
        ? `agrees with Result: ${r.expected}`
        : `DISAGREES with Result: ${r.expected} (${r.differs === 'weaker' ? 'LKMM allows what the file rules out' : 'LKMM rules out what the file allows'})`;
  const race = r.dataRace ? ', data race' : '';
  const head = `${r.test.padEnd(56)} ${r.observed.padEnd(9)} ${verdict}  [${r.witnesses} of ${r.executions} executions${race}]`;
  return r.witness ? [head, ...r.witness.map((w) => `    ${w}`)].join('\n') : head;
}

/** A Markdown table of results, for the docs. */
export function litmusTable(results: readonly LkResult[]): string {
  const rows = results.map((r) => {
    const v = r.expected === null ? '-' : r.agrees ? 'agrees' : '**disagrees**';
    return `| ${r.test} | ${r.expected ?? '-'} | ${r.observed} | ${v} | ${r.witnesses} of ${r.executions} |`;
  });
  return ['| test | kernel Result | LKMM (this checker) | verdict | executions (witnesses of allowed) |', '|---|---|---|---|---|', ...rows].join('\n');
}
