// One role on the kernel's own zsmalloc.c (src/zsmalloc/roles.ts), as one CPU: its steps
// until the coordinator raises the stop word, then its counters.
import { parentPort, workerData } from 'node:worker_threads';
import { HDR } from '../src/arena/layout.js';
import { Rng } from '../src/rng.js';
import type { KernelRoleTask, KernelWorkerMessage } from '../src/zsmalloc/messages.js';
import { kernelLayout } from '../src/zsmalloc/layout.js';
import { kernelRoleStep, newKernelCounters } from '../src/zsmalloc/roles.js';
import { KernelBug, KernelPool, STUBS } from '../src/zsmalloc/runtime.js';

const task = workerData as KernelRoleTask;
const by = `${task.role} ${task.index}`;
const post = (m: KernelWorkerMessage) => parentPort!.postMessage(m);
const L = kernelLayout(task.pages, task.cpus, task.objectSlots);
const pool = new KernelPool(new WebAssembly.Module(task.wasm as unknown as ArrayBuffer), task.memory, L, task.cpu, {
  report: (kind, message) => {
    Atomics.add(pool.mem, HDR.VIOLATIONS, 1);
    post({ type: 'violation', kind, message, by });
  },
});
pool.x.zsh_cpu_up();
const counters = newKernelCounters();
const step = kernelRoleStep(task.role, pool, task.config, task.index, new Rng(task.seed, task.cpu), counters, (message) =>
  pool.call(() => {
    Atomics.add(pool.mem, HDR.VIOLATIONS, 1);
    post({ type: 'violation', kind: 'integrity', message, by });
  }),
);
let oopsed = false;
try {
  while (Atomics.load(pool.mem, HDR.STOP) === 0) {
    pool.call(step);
    counters.ops++;
  }
} catch (err) {
  // a BUG ends this CPU's work, as an oops ends the task; anything else is the harness's
  if (!(err instanceof KernelBug)) throw err;
  oopsed = true;
}
post({ type: 'done', by, counters, stubs: Object.fromEntries(STUBS.map((s, i) => [s, pool.stubCalls[i]!])), oopsed });
