// One role on the kernel's own zsmalloc.c, as one CPU: the role's steps (src/roles/) on the
// kernel pool's ops (src/pools/kernel-ops.ts), in the loop every role runs (src/roles/loop.ts:
// stop word, stutter park, interval histograms), then its counters.
import { parentPort, workerData } from 'node:worker_threads';
import { HDR, WORKER_COUNTERS } from '../src/arena/layout.js';
import type { ViolationKind } from '../src/grading/vocabulary.js';
import { KernelOps, kernelPlan } from '../src/pools/kernel-ops.js';
import { COUNTER } from '../src/roles/counters.js';
import { roleStep } from '../src/roles/index.js';
import { finishLoop, runLoop } from '../src/roles/loop.js';
import { Metrics } from '../src/roles/metrics.js';
import type { RoleEnv } from '../src/roles/pool.js';
import { Rng } from '../src/rng.js';
import type { KernelRoleTask, KernelWorkerMessage } from '../src/supervised/kernel-role-messages.js';
import { recentKernelOps } from '../src/zsmalloc/flight.js';
import { kernelLayout } from '../src/zsmalloc/layout.js';
import { KernelBug, KernelPool, STUBS } from '../src/zsmalloc/runtime.js';

const task = workerData as KernelRoleTask;
const by = `${task.role}#${task.index}`;
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
const plan = kernelPlan(task);
const env: RoleEnv = {
  plan,
  rng: new Rng(task.seed, task.cpu),
  metrics: new Metrics(),
  counters: new Float64Array(WORKER_COUNTERS),
  mem: pool.mem,
  // the kernel pool's watch reads the CPUs' preemption epochs, not a progress word
  progress: new Int32Array(1),
  progressAt: 0,
  post,
};
const ops = new KernelOps(pool, plan, task.config.targetedMigrations, (message) => report('integrity', message));
const step = roleStep(env, ops);
const c = env.counters;
let oopsed = false;
let running = false;
try {
  runLoop(env, ops, () => {
    pool.call(step);
    if (running) return;
    running = true;
    post({ type: 'running', by });
  });
} catch (err) {
  // a BUG ends this CPU's work, as an oops ends the task; anything else is the harness's
  if (!(err instanceof KernelBug)) throw err;
  oopsed = true;
}
finishLoop(env, ops, 0);
const counters = {
  ops: c[COUNTER.OPS]!,
  bytesVerified: c[COUNTER.BYTES_VERIFIED]!,
  sleepingReads: c[COUNTER.SLEEPING_READS]!,
  migrated: c[COUNTER.MIGRATED]!,
  migrateRefused: c[COUNTER.MIGRATE_REFUSED]!,
  pagesCompacted: ops.pagesCompacted,
  workRun: ops.workRun,
  mallocFailed: c[COUNTER.MALLOC_FAILED]!,
};
post({ type: 'done', by, counters, stubs: Object.fromEntries(STUBS.map((s, i) => [s, pool.stubCalls[i]!])), oopsed });
