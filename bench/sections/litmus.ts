// `litmus`: the axiomatic LKMM checker beside the weak engine (LK-RA) it replaced for litmus
// files, on the project's own litmus tests (both read them), rounds alternating; and the
// kernel's 47 files (Linux 6.12) under LKMM alone, against the same 39 files' time.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkLitmus, parseLitmus, parseLkFile, runLitmus } from '../../src/explorer/litmus/litmus.js';
import { packageRoot } from '../../src/paths.js';
import { median } from '../lib/measure.js';
import { ms, type Row } from '../lib/report.js';

const ROUNDS = 5;

const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));

function time(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

export function litmus(): Row[] {
  const own = readdirSync(join(packageRoot(), 'litmus'))
    .filter((f) => f.endsWith('.litmus'))
    .map((f) => ({ f, text: readFileSync(join(packageRoot(), 'litmus', f), 'utf8') }));
  const kernel = walk(join(packageRoot(), 'test/fixtures/litmus/linux-6.12'))
    .filter((f) => f.endsWith('.litmus'))
    .map((f) => ({ f, text: readFileSync(f, 'utf8') }));
  const lkmm: number[] = [];
  const lkra: number[] = [];
  const all: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    lkmm.push(time(() => own.forEach(({ f, text }) => checkLitmus(parseLkFile(text, f)))));
    lkra.push(time(() => own.forEach(({ f, text }) => runLitmus(parseLitmus(text, f)))));
    all.push(time(() => kernel.forEach(({ f, text }) => checkLitmus(parseLkFile(text, f)))));
  }
  const [m, w, k] = [median(lkmm), median(lkra), median(all)];
  return [
    {
      section: 'litmus',
      name: `litmus/*.litmus (${own.length} files): LKMM checker vs weak engine`,
      measured: `LKMM ${ms(m)}`,
      against: `LK-RA ${ms(w)}`,
      ratio: w / m,
      raw: { lkmmMs: m, lkraMs: w },
    },
    {
      section: 'litmus',
      name: `the kernel's ${kernel.length} litmus files under LKMM vs litmus/*.litmus`,
      measured: `kernel ${ms(k)}`,
      against: `own ${ms(m)}`,
      ratio: m / k,
      raw: { kernelMs: k, ownMs: m },
    },
  ];
}
