// A benchmark worker thread: builds its crew's loops once, then runs one loop per
// phase (until the arena's stop word) and reports operations and milliseconds.
import { workerData } from 'node:worker_threads';
import { buildLoops } from '../lib/loops.js';
import { CTL, LOOP_NAMES, resultView } from '../lib/control.js';
import { threadCpuMs } from '../lib/cpu-time.js';
import type { CrewWorkerData } from '../lib/spec.js';
import { installAtomicsRouter } from '../../src/locks/atomics-router.js';

// As in every worker the harness runs lock code in (workers/).
installAtomicsRouter();

const data = workerData as CrewWorkerData;
const ctl = new Int32Array(data.ctl);
const result = resultView(data.ctl, data.index);
const loops = await buildLoops(data);

Atomics.add(ctl, CTL.READY, 1);
Atomics.notify(ctl, CTL.READY);
let gen = 0;
for (;;) {
  Atomics.wait(ctl, CTL.GEN, gen);
  gen = Atomics.load(ctl, CTL.GEN);
  if (Atomics.load(ctl, CTL.QUIT) !== 0) break;
  const loop = loops[LOOP_NAMES[Atomics.load(ctl, CTL.LOOP)]!]!;
  const c0 = threadCpuMs();
  const t0 = performance.now();
  const ops = loop();
  result[1] = performance.now() - t0;
  result[2] = threadCpuMs() - c0;
  result[0] = ops;
  Atomics.add(ctl, CTL.DONE, 1);
}
