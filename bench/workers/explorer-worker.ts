// One lock's explorer in a thread (an isolate) of its own, as `explore` and `check` run one lock
// per process: asked for a phase of N ms, it runs explorer iterations (3 threads x 4 sections,
// random schedules, failures included) and answers with the count and its thread's CPU time.
import { parentPort, workerData } from 'node:worker_threads';
import { Run } from '../../src/explorer/sim.js';
import { loadLockDesign, lockSpecFor } from '../../src/locks/registry.js';
import { Rng } from '../../src/rng.js';
import { threadCpuMs } from '../lib/cpu-time.js';

export interface ExplorerPhase {
  iterations: number;
  cpuMs: number;
  wallMs: number;
}

const { lock } = workerData as { lock: string };
const design = await loadLockDesign(lockSpecFor(lock));
const THREADS = 3;
const OPS = 4;
let i = 0;

function iteration(): void {
  const rng = new Rng(1, i++);
  const programs: string[] = [];
  for (let t = 0; t < THREADS; t++) {
    let p = '';
    for (let j = 0; j < OPS; j++) p += rng.below(2) === 0 ? 'R' : 'W';
    programs.push(p);
  }
  new Run(design, programs, false).run((pool) => pool[rng.below(pool.length)]);
}

parentPort!.on('message', (ms: number) => {
  const cpu0 = threadCpuMs();
  const t0 = performance.now();
  let n = 0;
  do {
    for (let k = 0; k < 16; k++) iteration();
    n += 16;
  } while (performance.now() - t0 < ms);
  const phase: ExplorerPhase = { iterations: n, cpuMs: threadCpuMs() - cpu0, wallMs: performance.now() - t0 };
  parentPort!.postMessage(phase);
});
parentPort!.postMessage('ready');
