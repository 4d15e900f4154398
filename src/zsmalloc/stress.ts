// A stress run on the kernel's own zsmalloc.c: the coordinator boots the pool on one
// shared memory (CPU 0), stores the stable objects, starts one worker per role (each a
// CPU, workers/kernel-role.ts), stops them at the end of the duration or at the first
// violation, and audits the pool once they are done.
import type { Worker } from 'node:worker_threads';
import { HDR } from '../arena/layout.js';
import type { ViolationKind } from '../grading/vocabulary.js';
import { spawnWorker } from '../supervised/worker.js';
import { compileZsmalloc, type CompiledPool } from './compile.js';
import { kernelLayout } from './layout.js';
import type { KernelRoleTask, KernelWorkerMessage } from './messages.js';
import { storeObject, type KernelCounters, type KernelRole, type KernelRoleConfig } from './roles.js';
import { KernelPool } from './runtime.js';
import { Rng } from '../rng.js';

export interface KernelStressOptions {
  /** A kernel tree, or an mm/zsmalloc.c. */
  zsmalloc: string;
  durationMs: number;
  seed: number;
  pages: number;
  roles: Record<KernelRole, number>;
  config: KernelRoleConfig;
  /** Stop at the first violation (default), or run the whole duration. */
  keepGoing?: boolean;
  /** KASAN on every plain load and store of zsmalloc.c (compile.ts, KASAN_FULL_FLAGS); default true. */
  kasanFull?: boolean;
}

export interface KernelViolation {
  kind: ViolationKind;
  message: string;
  by: string;
}

export interface KernelStressResult {
  compiled: CompiledPool;
  violations: KernelViolation[];
  counters: Record<string, KernelCounters>;
  stubs: Record<string, number>;
  /** zspages the final audit walked; null when a worker did not finish (the pool is not quiescent). */
  audited: number | null;
}

/** Grace for a worker to finish its step after the stop word. */
const STOP_GRACE_MS = 5_000;

export async function runKernelStress(opts: KernelStressOptions): Promise<KernelStressResult> {
  const compiled = await compileZsmalloc(opts.zsmalloc, { kasanFull: opts.kasanFull });
  const roles = (Object.entries(opts.roles) as [KernelRole, number][]).flatMap(([role, n]) => Array.from({ length: n }, (_, index) => ({ role, index })));
  const cfg = opts.config;
  const objectSlots = cfg.stable + opts.roles.churner * cfg.churnEach;
  const L = kernelLayout(opts.pages, roles.length + 1, objectSlots);
  const memory = new WebAssembly.Memory({ initial: L.totalBytes / 65536, maximum: L.totalBytes / 65536, shared: true });
  const violations: KernelViolation[] = [];
  const module = new WebAssembly.Module(compiled.wasm as unknown as ArrayBuffer);
  const coordinator = new KernelPool(module, memory, L, 0, { report: (kind, message) => violations.push({ kind, message, by: 'setup' }) });
  coordinator.boot();
  coordinator.x.zsh_cpu_up();
  const rng = new Rng(opts.seed, -1);
  for (let slot = 0; slot < cfg.stable; slot++) {
    if (!storeObject(coordinator, slot, cfg.minSize + rng.below(cfg.maxSize - cfg.minSize + 1))) {
      throw new Error(`the pool ran out of pages storing ${cfg.stable} objects: give it more than ${opts.pages}`);
    }
  }
  const mem = coordinator.mem;
  const counters: Record<string, KernelCounters> = {};
  const stubs: Record<string, number> = {};
  const workers: Worker[] = [];
  const finished = roles.map(({ role, index }, i) => {
    const task: KernelRoleTask = { wasm: compiled.wasm, memory, pages: opts.pages, cpus: L.cpus, objectSlots, cpu: i + 1, role, index, seed: opts.seed, config: cfg };
    const worker = spawnWorker('kernel-role', task);
    workers.push(worker);
    return new Promise<boolean>((resolve) => {
      worker.on('message', (m: KernelWorkerMessage) => {
        if (m.type === 'violation') {
          violations.push({ kind: m.kind, message: m.message, by: m.by });
          if (!opts.keepGoing) stop();
        } else {
          counters[m.by] = m.counters;
          for (const [k, v] of Object.entries(m.stubs)) stubs[k] = (stubs[k] ?? 0) + v;
          resolve(true);
        }
      });
      worker.on('error', (err) => {
        violations.push({ kind: 'stall', message: `${role} ${index} failed: ${err.message}`, by: `${role} ${index}` });
        resolve(false);
      });
      worker.on('exit', () => resolve(false));
    });
  });
  function stop() {
    clearTimeout(timer);
    Atomics.store(mem, HDR.STOP, 1);
    Atomics.notify(mem, HDR.STOP);
  }
  const timer = setTimeout(stop, opts.durationMs);
  // every worker's counters, or the grace after the stop word runs out (a CPU stuck in the kernel)
  let waitForStop: NodeJS.Timeout | undefined;
  const graceful = await Promise.race([
    Promise.all(finished).then((all) => all.every(Boolean)),
    new Promise<boolean>((resolve) => {
      waitForStop = setInterval(() => {
        if (Atomics.load(mem, HDR.STOP) === 0) return;
        clearInterval(waitForStop);
        setTimeout(() => resolve(false), STOP_GRACE_MS).unref();
      }, 20);
    }),
  ]);
  clearInterval(waitForStop);
  stop();
  await Promise.all(workers.map((w) => w.terminate()));
  let audited: number | null = null;
  if (graceful) {
    coordinator.x.zsh_run_work();
    const out = coordinator.scratch;
    audited = coordinator.x.zsh_audit(out);
    if (audited < 0) {
      const [cls, group, what, found, expected] = Array.from(mem.subarray(out >> 2, (out >> 2) + 5));
      violations.push({ kind: 'audit', message: `class ${cls}${group! >= 0 ? `, fullness group ${group}` : ''}: audit check ${what} found ${found}, expected ${expected}`, by: 'audit' });
    }
  }
  return { compiled, violations, counters, stubs, audited };
}
