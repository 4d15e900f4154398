// `zspage-stress litmus`: read C-litmus files, run each exhaustively under LK-RA, and compare
// with the Result the file states.
import { readFileSync } from 'node:fs';
import { BadInputError } from '../../errors.js';
import { parseLitmus } from './parse.js';
import { runLitmus, type LitmusResult } from './run.js';

export { parseLitmus, type Litmus, type Outcome } from './parse.js';
export { runLitmus, type LitmusResult } from './run.js';

/** Why the model may say Never where the kernel's model says Sometimes (docs/EXPLORER.md: what it does not cover). */
export const STRONGER_NOTE =
  'the model is stronger than LKMM here: no load buffering, and stores to one location are ordered as they run';

export function runLitmusFile(file: string): LitmusResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BadInputError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return runLitmus(parseLitmus(text, file));
}

/** One line per test: name, observed, and the comparison with the file's Result. */
export function formatLitmusLine(r: LitmusResult): string {
  const verdict =
    r.expected === null
      ? 'no Result line to compare'
      : r.agrees
        ? `agrees with Result: ${r.expected}`
        : r.differs === 'weaker'
          ? `WEAKER than Result: ${r.expected} (a false alarm of the model)`
          : `stronger than Result: ${r.expected} (${STRONGER_NOTE})`;
  const race = r.dataRace ? ', data race' : '';
  return `${r.test.padEnd(56)} ${r.observed.padEnd(9)} ${verdict}  [${r.witnesses} of ${r.executions} executions${race}]`;
}

/** A Markdown table of results, for the docs. */
export function litmusTable(results: readonly LitmusResult[]): string {
  const rows = results.map((r) => {
    const v = r.expected === null ? '-' : r.agrees ? 'agrees' : r.differs === 'weaker' ? '**weaker (false alarm)**' : 'stronger (known)';
    return `| ${r.test} | ${r.expected ?? '-'} | ${r.observed} | ${v} | ${r.executions} |`;
  });
  return ['| test | kernel Result | LK-RA | verdict | executions |', '|---|---|---|---|---|', ...rows].join('\n');
}
