// The lint's size limits (eslint.config.js, `npm run lint` in CI) fire on code over them.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const eslint = new ESLint({ cwd: ROOT });

/** The rules `text` breaks, linted as if it were the file `filePath`. */
async function broken(text: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

const fn = (name: string, lines: number) => `export function ${name}(): number {\n  let n = 0;\n${'  n++;\n'.repeat(lines - 4)}  return n;\n}\n`;

describe('lint size limits', () => {
  it('pass a function of 80 lines, fail one of 81', async () => {
    expect(fn('f', 80).split('\n').length - 1).toBe(80);
    expect(await broken(fn('f', 80), 'src/model/sized.ts')).toEqual([]);
    expect(await broken(fn('f', 81), 'src/model/sized.ts')).toEqual(['max-lines-per-function']);
  });

  it('fail a file over 400 lines', async () => {
    const text = Array.from({ length: 6 }, (_, i) => fn(`f${i}`, 70)).join('');
    expect(text.split('\n').length - 1).toBeGreaterThan(400);
    expect(await broken(text, 'src/model/sized.ts')).toEqual(['max-lines']);
  });

  it('hold for the explorer engine as for its neighbours', async () => {
    expect(await broken(fn('f', 81), 'src/explorer/sim.ts')).toEqual(['max-lines-per-function']);
    expect(await broken(fn('f', 81), 'src/explorer/index.ts')).toEqual(['max-lines-per-function']);
  });

  it('no other file is let over them, nor a bare expression', async () => {
    for (const file of ['src/explorer/litmus/parse.ts', 'src/explorer/litmus/run.ts', 'src/locks/c/design.ts', 'src/pools/model-context.ts']) {
      expect(await broken(fn('f', 81), file)).toEqual(['max-lines-per-function']);
    }
    expect(await broken('export const f = (a: number) => {\n  a, a;\n};\n', 'src/locks/c/compile.ts')).toEqual(['@typescript-eslint/no-unused-expressions']);
  });
});
