// One CPU of the explorer on the kernel's code: for each execution, an instance of the
// compiled pool on that execution's memory, its program run with a kernel call at a time
// (src/zsmalloc/gate.ts), then what it saw.
import { parentPort, workerData } from 'node:worker_threads';
import { HDR } from '../src/arena/layout.js';
import type { ViolationKind } from '../src/grading/vocabulary.js';
import type { KernelExecution, KernelExploreInit, KernelExploreMessage } from '../src/supervised/kernel-explore-messages.js';
import { ExecutionAborted, Gate } from '../src/zsmalloc/gate.js';
import { kernelLayout } from '../src/zsmalloc/layout.js';
import { runKernelOp } from '../src/zsmalloc/program.js';
import { KernelBug, KernelPool } from '../src/zsmalloc/runtime.js';

const init = workerData as KernelExploreInit;
const module = new WebAssembly.Module(init.wasm as unknown as ArrayBuffer);
const post = (m: KernelExploreMessage) => parentPort!.postMessage(m);

parentPort!.on('message', (run: KernelExecution) => {
  const gate = new Gate(run.control, init.cpu);
  let aborted = false;
  try {
    const report = (kind: ViolationKind, message: string) => {
      Atomics.add(new Int32Array(run.memory.buffer as unknown as SharedArrayBuffer), HDR.VIOLATIONS, 1);
      post({ type: 'violation', kind, message });
    };
    const pool = new KernelPool(module, run.memory, kernelLayout(run.pages, run.cpus, run.objectSlots), init.cpu, { report }, { gate });
    gate.point();
    pool.x.zsh_cpu_up();
    for (const op of run.ops) pool.call(() => runKernelOp(pool, op, (message) => report('integrity', message), run.setupPfns));
  } catch (err) {
    if (!(err instanceof ExecutionAborted) && !(err instanceof KernelBug)) throw err;
    aborted = true;
  }
  gate.done();
  post({ type: 'ran', aborted });
});
