// Explorer speed: iterations per CPU second for each built-in lock and for the example C lock,
// each in a thread of its own, in alternating rounds. The reference is zspage-atomic-fixed, the
// simplest correct design: the ratio says what a design's own protocol costs the explorer (every
// atomic op is a scheduling step, and a step re-runs the thread's history). The C lock, the
// spinlock + count design compiled to WebAssembly, is set against zspage-spinlock, the same
// design in JavaScript: what the C path costs the explorer.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_NAMES } from '../../src/locks/catalog.js';
import { compiledPath, packageRoot } from '../../src/paths.js';
import { median, type Rounds } from '../lib/measure.js';
import { budget, rate, type Row } from '../lib/report.js';
import type { ExplorerPhase } from '../workers/explorer-worker.js';

const REFERENCE = 'zspage-atomic-fixed';
const C_LOCK = 'examples/zspage-lock.c';
const C_TWIN = 'zspage-spinlock';
/** The C path may cost the explorer this much against the same design in JavaScript. */
const C_BUDGET = 0.25;

export async function explorerSpeed(rounds: Rounds, locks = [...BUILTIN_NAMES]): Promise<Row[]> {
  const cLock = join(packageRoot(), C_LOCK);
  const names = [REFERENCE, ...locks.filter((l) => l !== REFERENCE), ...(existsSync(cLock) ? [C_LOCK] : [])];
  const workers = names.map(
    (lock) => new Worker(compiledPath('bench', 'workers', 'explorer-worker.js'), { workerData: { lock: lock === C_LOCK ? cLock : lock } }),
  );
  await Promise.all(workers.map((w) => once(w, 'message')));
  const phase = async (w: Worker, ms: number) => {
    w.postMessage(ms);
    return (await once(w, 'message'))[0] as ExplorerPhase;
  };
  for (const w of workers) await phase(w, 50); // warm-up: every design's code optimized first
  const perCpuSec: number[][] = names.map(() => []);
  for (let r = 0; r < rounds.rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const i = (k + r) % names.length;
      const p = await phase(workers[i]!, rounds.ms);
      perCpuSec[i]!.push((p.iterations / Math.max(p.cpuMs, 1e-3)) * 1000);
    }
  }
  await Promise.all(workers.map((w) => w.terminate()));
  const ref = median(perCpuSec[0]!);
  const twin = median(perCpuSec[names.indexOf(C_TWIN)]!);
  return names.map((lock, i): Row => {
    const x = median(perCpuSec[i]!);
    const what = `explorer iterations, ${lock} (3 threads x 4 sections, random)`;
    if (lock === C_LOCK) {
      const r = x / twin;
      return {
        section: 'explorer',
        name: what,
        measured: `${rate(x)} per CPU s`,
        against: `${C_TWIN} (the same design in JavaScript) ${rate(twin)}`,
        ratio: r,
        ...budget(`>= ${C_BUDGET.toFixed(2)}x`, r >= C_BUDGET, () => 'each scheduling step re-runs the thread history through the WebAssembly instance and its kernel imports'),
        raw: { iterationsPerCpuSec: x, referencePerCpuSec: twin, ratio: r },
      };
    }
    return {
      section: 'explorer',
      name: what,
      measured: `${rate(x)} per CPU s`,
      against: `${REFERENCE} ${rate(ref)}`,
      ratio: x / ref,
      raw: { iterationsPerCpuSec: x, referencePerCpuSec: ref, ratio: x / ref },
    };
  });
}
