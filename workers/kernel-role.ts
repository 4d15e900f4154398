// One role on the kernel's own zsmalloc.c (src/zsmalloc/roles.ts), as one CPU: its steps
// until the coordinator raises the stop word, then its counters. Between two steps, holding
// nothing, it parks while the coordinator audits the pool (stutter, HDR.PAUSE), and sends
// its interval histograms when the coordinator bumps the epoch (HDR.EPOCH).
import { parentPort, workerData } from 'node:worker_threads';
import { HDR } from '../src/arena/layout.js';
import type { ViolationKind } from '../src/grading/vocabulary.js';
import { isZero, sampleNs } from '../src/roles/dist.js';
import { METRIC, Metrics } from '../src/roles/metrics.js';
import { Rng } from '../src/rng.js';
import type { KernelRoleTask, KernelWorkerMessage } from '../src/supervised/kernel-role-messages.js';
import { recentKernelOps } from '../src/zsmalloc/flight.js';
import { kernelLayout } from '../src/zsmalloc/layout.js';
import { kernelRoleStep, newKernelCounters } from '../src/zsmalloc/roles.js';
import { KernelBug, KernelPool, STUBS } from '../src/zsmalloc/runtime.js';

const task = workerData as KernelRoleTask;
const by = `${task.role}#${task.index}`;
const worker = task.cpu - 1;
const post = (m: KernelWorkerMessage) => parentPort!.postMessage(m);
const L = kernelLayout(task.pages, task.cpus, task.objectSlots);
const report = (kind: ViolationKind, message: string, lock = -1) => {
  Atomics.add(pool.mem, HDR.VIOLATIONS, 1);
  // the flight recorder as the violation found it: every CPU's recent steps and zspage-lock events
  const recent = recentKernelOps(pool.mem, pool.bytes, L, task.names, lock);
  post({ type: 'violation', kind, message, by, atMs: Date.now() - task.startEpochMs, recent });
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
const mem = pool.mem;
let epoch = Atomics.load(mem, HDR.EPOCH);
let oopsed = false;
try {
  while (Atomics.load(mem, HDR.STOP) === 0) {
    if (mem[HDR.PAUSE] !== 0) park();
    const e = mem[HDR.EPOCH]!;
    if (e !== epoch) {
      epoch = e;
      post({ type: 'interval', worker, interval: e - 1, metrics: metrics.takeInterval() });
    }
    pool.call(step);
    if (++counters.ops === 1) post({ type: 'running', by });
    if (pauses) {
      const ns = sampleNs(task.pause, rng);
      if (ns > 0) Atomics.wait(mem, HDR.STOP, 0, ns / 1e6);
    }
  }
} catch (err) {
  // a BUG ends this CPU's work, as an oops ends the task; anything else is the harness's
  if (!(err instanceof KernelBug)) throw err;
  oopsed = true;
}
post({ type: 'interval', worker, interval: Atomics.load(mem, HDR.EPOCH), metrics: metrics.takeInterval() });
post({ type: 'done', by, counters, stubs: Object.fromEntries(STUBS.map((s, i) => [s, pool.stubCalls[i]!])), oopsed });

/** Stutter: parked, holding nothing, until the coordinator has audited the pool (or the run stops). */
function park(): void {
  Atomics.add(mem, HDR.PARKED, 1);
  Atomics.notify(mem, HDR.PARKED);
  while (Atomics.load(mem, HDR.PAUSE) !== 0 && Atomics.load(mem, HDR.STOP) === 0) Atomics.wait(mem, HDR.PAUSE, 1, 100);
  Atomics.sub(mem, HDR.PARKED, 1);
}
