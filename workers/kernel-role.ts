// One role on the kernel's own zsmalloc.c (src/zsmalloc/roles.ts), as one CPU: its steps
// until the coordinator raises the stop word, then its counters.
import { parentPort, workerData } from 'node:worker_threads';
import { HDR } from '../src/arena/layout.js';
import type { ViolationKind } from '../src/grading/vocabulary.js';
import { isZero, sampleNs } from '../src/roles/dist.js';
import { METRIC, Metrics } from '../src/roles/metrics.js';
import { Rng } from '../src/rng.js';
import type { KernelRoleTask, KernelWorkerMessage } from '../src/supervised/kernel-role-messages.js';
import { kernelLayout } from '../src/zsmalloc/layout.js';
import { kernelRoleStep, newKernelCounters } from '../src/zsmalloc/roles.js';
import { KernelBug, KernelPool, STUBS } from '../src/zsmalloc/runtime.js';

const task = workerData as KernelRoleTask;
const by = `${task.role}#${task.index}`;
const post = (m: KernelWorkerMessage) => parentPort!.postMessage(m);
const L = kernelLayout(task.pages, task.cpus, task.objectSlots);
const report = (kind: ViolationKind, message: string) => {
  Atomics.add(pool.mem, HDR.VIOLATIONS, 1);
  post({ type: 'violation', kind, message, by, atMs: Date.now() - task.startEpochMs });
};
const pool = new KernelPool(new WebAssembly.Module(task.wasm as unknown as ArrayBuffer), task.memory, L, task.cpu, { report });
pool.x.zsh_cpu_up();
const counters = newKernelCounters();
const rng = new Rng(task.seed, task.cpu);
const metrics = new Metrics();
const step = kernelRoleStep(
  task.role,
  pool,
  task.config,
  task.index,
  rng,
  counters,
  (message) => report('integrity', message),
  () => sampleNs(task.hold, rng),
  (metric, ns) => metrics.record(METRIC[metric], Math.round(ns)),
);
const pauses = !isZero(task.pause);
let oopsed = false;
try {
  while (Atomics.load(pool.mem, HDR.STOP) === 0) {
    pool.call(step);
    if (++counters.ops === 1) post({ type: 'running', by });
    if (pauses) {
      const ns = sampleNs(task.pause, rng);
      if (ns > 0) Atomics.wait(pool.mem, HDR.STOP, 0, ns / 1e6);
    }
  }
} catch (err) {
  // a BUG ends this CPU's work, as an oops ends the task; anything else is the harness's
  if (!(err instanceof KernelBug)) throw err;
  oopsed = true;
}
post({ type: 'done', by, counters, stubs: Object.fromEntries(STUBS.map((s, i) => [s, pool.stubCalls[i]!])), metrics: metrics.takeInterval(), oopsed });
