// `npm run detection`: time to detect through the harness, measured as a user would meet it.
// For every broken lock (built-ins, test fixtures, examples/) and each seed: `check --json
// --fail-fast` (detectedAfterMs), then `run --scenario default` (firstViolationMs). For every
// correct lock: a full `check` per seed, which must pass. Each is a fresh CLI process, one at a
// time. Writes bench/detection.json (bench/detection.partial.json with --locks), then the
// generated parts of docs/DETECTION.md (with the full set).
//
//   node dist/bench/detection/index.js [--seeds 5] [--seed 1] [--correct-budget 30]
//                                      [--run-duration 20] [--locks A,B] [--no-run] [--no-correct]
//                                      [--no-check] [--merge]: put the locks measured into bench/detection.json
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../src/paths.js';
import type { Summary } from '../../src/records/summary.js';
import type { CheckRecord } from '../../src/report/check.js';
import { writeDocs } from '../docs.js';
import { progress } from '../lib/progress.js';
import { detectionLocks, detectionTable, readDetection, targetLines, type CheckSample, type DetectionData, type LockDetection, type RunSample } from './lib.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'correct-budget': { type: 'string', default: '30' },
    'run-duration': { type: 'string', default: '20' },
    locks: { type: 'string' },
    'no-run': { type: 'boolean', default: false },
    'no-correct': { type: 'boolean', default: false },
    'no-check': { type: 'boolean', default: false },
    merge: { type: 'boolean', default: false },
  },
});
const root = packageRoot();
const first = Number(values.seed);
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => first + i);
const correctBudgetS = Number(values['correct-budget']);
const runDurationS = Number(values['run-duration']);
const wanted = values.locks?.split(',');
const partial = wanted !== undefined || values['no-run'] || values['no-correct'] || values['no-check'];
const tmp = mkdtempSync(join(tmpdir(), 'zss-detection-'));

function cli(args: string[], timeoutS: number): { code: number; stdout: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/zspage-stress.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 64 * 2 ** 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout };
}

function check(lock: string, seed: number, correct: boolean): CheckSample {
  const budget = correct ? correctBudgetS : 30;
  const args = ['check', '--lock', lock, '--seed', String(seed), '--json', '--budget', String(budget), '--out', join(tmp, 'c')];
  const r = cli(correct ? args : [...args, '--fail-fast'], budget + 120);
  rmSync(join(tmp, 'c'), { recursive: true, force: true });
  try {
    const j = JSON.parse(r.stdout) as CheckRecord;
    return { seed, verdict: j.verdict, exitCode: r.code, detectedAfterMs: j.detectedAfterMs, kind: j.kind, part: j.part, elapsedMs: j.elapsedMs };
  } catch {
    return { seed, verdict: 'harness-error', exitCode: r.code, detectedAfterMs: null, kind: `exit ${r.code}`, part: null, elapsedMs: 0 };
  }
}

function run(lock: string, seed: number): RunSample {
  const out = join(tmp, 'r');
  const r = cli(['run', '--lock', lock, '--scenario', 'default', '--seed', String(seed), '--duration', String(runDurationS), '--json', '--out', out], runDurationS + 120);
  rmSync(out, { recursive: true, force: true });
  try {
    const s = JSON.parse(r.stdout) as Summary;
    return { seed, verdict: s.verdict, exitCode: r.code, firstViolationMs: s.firstViolationMs, kind: s.violations[0]?.kind ?? null };
  } catch {
    return { seed, verdict: 'harness-error', exitCode: r.code, firstViolationMs: null, kind: `exit ${r.code}` };
  }
}

const t0 = performance.now();
const load = [loadavg()[0]!];
const locks: LockDetection[] = [];
for (const l of detectionLocks(root)) {
  if (wanted && !wanted.includes(l.lock)) continue;
  const correct = l.bug === null;
  if (correct && values['no-correct']) continue;
  const entry: LockDetection = { ...l, check: [], run: [] };
  for (const seed of seeds) {
    if (values['no-check']) {
      if (correct || l.weakOnly) continue;
      const r = run(l.lock, seed);
      entry.run.push(r);
      progress(`${l.lock} seed ${seed}: run ${r.verdict}${r.kind ? ` ${r.kind} at ${r.firstViolationMs} ms` : ''}`);
      continue;
    }
    const c = check(l.lock, seed, correct);
    entry.check.push(c);
    progress(`${l.lock} seed ${seed}: check ${c.verdict}${c.kind ? ` ${c.kind}` : ''}${c.detectedAfterMs !== null ? ` after ${c.detectedAfterMs} ms in ${c.part}` : ''} (load ${loadavg()[0]!.toFixed(1)})`);
    if (correct || l.weakOnly || values['no-run']) continue;
    const r = run(l.lock, seed);
    entry.run.push(r);
    progress(`${l.lock} seed ${seed}: run ${r.verdict}${r.kind ? ` ${r.kind} at ${r.firstViolationMs} ms` : ''}`);
  }
  locks.push(entry);
}
load.push(loadavg()[0]!);
rmSync(tmp, { recursive: true, force: true });

const data: DetectionData = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadAverage: load,
  seconds: Math.round((performance.now() - t0) / 1000),
  seeds,
  correctBudgetS,
  runDurationS,
  locks,
};
const full = join(root, 'bench', 'detection.json');
let file = join(root, 'bench', partial ? 'detection.partial.json' : 'detection.json');
writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
let shown = data;
if (partial && values.merge) {
  // The locks measured replace their earlier figures (or join them), with a note of when.
  const base = readDetection(full);
  for (const l of locks) {
    if (l.check.length === 0 && l.run.length === 0) continue;
    const at = base.locks.findIndex((b) => b.lock === l.lock);
    const was = base.locks[at];
    const merged = was ? { ...l, check: values['no-check'] ? was.check : l.check, run: values['no-run'] ? was.run : l.run } : l;
    if (at >= 0) base.locks[at] = merged;
    else base.locks.push(merged);
  }
  const what = values['no-check'] ? '`run` measured again' : values['no-run'] ? '`check` measured again' : 'Measured';
  const measured = locks.filter((l) => l.check.length > 0 || l.run.length > 0).map((l) => l.lock);
  base.updates = [...(base.updates ?? []), { date: data.date, loadAverage: data.loadAverage, locks: measured, what }];
  file = full;
  writeFileSync(file, `${JSON.stringify(base, null, 2)}\n`);
  shown = base;
}
for (const line of [...detectionTable(shown), '', ...targetLines(shown)]) console.log(line);
console.log(`detection: written to ${file}`);
if (file === full) {
  writeDocs(root);
  console.log('detection: docs/DETECTION.md regenerated');
}
