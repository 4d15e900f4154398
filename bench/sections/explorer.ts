// Explorer speed: iterations per CPU second for each built-in lock, each in a thread of its own,
// in alternating rounds. The reference is zspage-atomic, the simplest correct design: the ratio
// says what a design's own protocol costs the explorer (every atomic op is a scheduling step,
// and a step re-runs the thread's history).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { BUILTIN_LOCKS } from '../../src/locks/registry.js';
import { compiledPath } from '../../src/paths.js';
import { median, type Rounds } from '../lib/measure.js';
import { rate, type Row } from '../lib/report.js';
import type { ExplorerPhase } from '../workers/explorer-worker.js';

const REFERENCE = 'zspage-atomic';

export async function explorerSpeed(rounds: Rounds, locks = Object.keys(BUILTIN_LOCKS)): Promise<Row[]> {
  const names = [REFERENCE, ...locks.filter((l) => l !== REFERENCE)];
  const workers = names.map((lock) => new Worker(compiledPath('bench', 'workers', 'explorer-worker.js'), { workerData: { lock } }));
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
  return names.map((lock, i) => {
    const x = median(perCpuSec[i]!);
    return {
      section: 'explorer',
      name: `explorer iterations, ${lock} (3 threads x 4 sections, random)`,
      measured: `${rate(x)} per CPU s`,
      against: `${REFERENCE} ${rate(ref)}`,
      ratio: x / ref,
      raw: { iterationsPerCpuSec: x, referencePerCpuSec: ref, ratio: x / ref },
    };
  });
}
