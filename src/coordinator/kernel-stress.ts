// A stress run on the kernel's own zsmalloc.c: the coordinator boots the pool on one
// shared memory (CPU 0), stores the stable objects, starts one worker per role (each a
// CPU, workers/kernel-role.ts), stops them at the end of the duration or at the first
// violation, and audits the pool once they are done. Meanwhile its watch (kernel-watch.ts)
// keeps the clock, the interval histograms and the stutter audits.
import type { Worker } from 'node:worker_threads';
import type { Histogram } from 'hdr-histogram-js';
import { HDR } from '../arena/layout.js';
import type { ViolationKind } from '../grading/vocabulary.js';
import type { Summary } from '../records/summary.js';
import type { Distribution } from '../scenario/schema.js';
import type { KernelRoleTask, KernelWorkerMessage } from '../supervised/kernel-role-messages.js';
import { spawnWorker } from '../supervised/worker.js';
import { compileZsmalloc, type CompiledPool } from '../zsmalloc/compile.js';
import { recentKernelOps, turnFlightRecorderOff, type KernelFlightOp } from '../zsmalloc/flight.js';
import { ZLOCK, ZLOCK_SLOTS, ZLOCK_WORDS, kernelLayout, type KernelLayout } from '../zsmalloc/layout.js';
import { storeObject, type KernelCounters, type KernelRole, type KernelRoleConfig } from '../zsmalloc/roles.js';
import { KernelPool } from '../zsmalloc/runtime.js';
import { Rng } from '../rng.js';
import type { Collector, Interval } from './collector.js';
import { KernelWatch } from './kernel-watch.js';

const ZERO: Distribution = { kind: 'fixed', a: 0, b: 0 };

export interface KernelStressOptions {
  /** A kernel tree, or an mm/zsmalloc.c. */
  zsmalloc: string;
  durationMs: number;
  seed: number;
  pages: number;
  roles: Record<KernelRole, number>;
  config: KernelRoleConfig;
  /** A reader's hold of a mapped object (default: none), and each role's pause between steps. */
  hold?: Distribution;
  pauses?: Partial<Record<KernelRole, Distribution>>;
  /** Stop at the first violation (default), or run the whole duration. */
  keepGoing?: boolean;
  /** KASAN on every plain load and store of zsmalloc.c (compile.ts, KASAN_FULL_FLAGS); default true. */
  kasanFull?: boolean;
  /** A CPU in atomic context this long without a break is a stall (soft lockup); default STALL_MS. */
  stallMs?: number;
  /** Interval histograms every this many ms (default 0: the whole run is one interval). */
  statIntervalMs?: number;
  /** A stutter audit every this many ms (default 0: only the final audit), and how long the CPUs get to park for it (default PARK_MS). */
  auditEveryMs?: number;
  parkMs?: number;
  /** At each stat interval, with the intervals received so far (kernel-hlog.ts). */
  onEpoch?: (collector: Collector) => void;
  /** The flight recorder (default on; off only to measure what it costs). */
  flightRecorder?: boolean;
}

export interface KernelViolation {
  kind: ViolationKind;
  message: string;
  by: string;
  /** Milliseconds since the roles started. */
  atMs: number;
  /** The flight recorder's entries as the violation found them (flight.ts). */
  recent?: KernelFlightOp[];
}

export interface KernelStressResult {
  compiled: CompiledPool;
  violations: KernelViolation[];
  counters: Record<string, KernelCounters>;
  stubs: Record<string, number>;
  /** zspages the final audit walked; null when a worker did not finish or ended in a BUG (the pool is not quiescent). */
  audited: number | null;
  /** From the call until every worker had done its first step (null: some never did). */
  startupMs: number | null;
  /** Latency histograms of the whole run, every worker merged (src/roles/metrics.ts names): those with values. */
  totals: Record<string, Histogram>;
  /** The same, per stat interval, in time order. */
  intervals: Interval[];
  /** The stutter audits and the final one. */
  audits: Summary['audits'];
}

/** Grace for a worker to finish its step after the stop word. */
const STOP_GRACE_MS = 5_000;
/**
 * The soft-lockup threshold: the kernel's watchdog reports a CPU that has not scheduled for
 * 2 * watchdog_thresh (20 s); zsmalloc's atomic sections last microseconds, and its writers
 * only trylock, so a second in atomic context is a CPU waiting for what it must not wait for.
 */
export const STALL_MS = 1_000;
/** How long the CPUs get to park for a stutter (the model's default stall timeout). */
const PARK_MS = 5_000;
/** How often the stall watch samples the CPUs' preemption epochs. */
const WATCH_MS = 20;

/** The pool booted on CPU 0 of a fresh shared memory, with its stable objects stored. */
async function bootKernelPool(opts: KernelStressOptions, cpus: number, report: (kind: ViolationKind, message: string) => void) {
  const compiled = await compileZsmalloc(opts.zsmalloc, { kasanFull: opts.kasanFull });
  const cfg = opts.config;
  const objectSlots = cfg.stable + opts.roles.churner * cfg.churnEach;
  const L = kernelLayout(opts.pages, cpus, objectSlots);
  const memory = new WebAssembly.Memory({ initial: L.totalBytes / 65536, maximum: L.totalBytes / 65536, shared: true });
  const module = new WebAssembly.Module(compiled.wasm as unknown as ArrayBuffer);
  const coordinator = new KernelPool(module, memory, L, 0, { report });
  coordinator.boot();
  coordinator.x.zsh_cpu_up();
  const rng = new Rng(opts.seed, -1);
  for (let slot = 0; slot < cfg.stable; slot++) {
    if (!storeObject(coordinator, slot, cfg.minSize + rng.below(cfg.maxSize - cfg.minSize + 1))) {
      throw new Error(`the pool ran out of pages storing ${cfg.stable} objects: give it more than ${opts.pages}`);
    }
  }
  return { compiled, L, memory, coordinator, objectSlots };
}

export async function runKernelStress(opts: KernelStressOptions): Promise<KernelStressResult> {
  const t0 = performance.now();
  let running = 0;
  let startupMs: number | null = null;
  const roles = (Object.entries(opts.roles) as [KernelRole, number][]).flatMap(([role, n]) => Array.from({ length: n }, (_, index) => ({ role, index })));
  const cfg = opts.config;
  const violations: KernelViolation[] = [];
  // CPU 0 boots the pool, then audits it
  let cpu0 = 'setup';
  const { compiled, L, memory, coordinator, objectSlots } = await bootKernelPool(opts, roles.length + 1, (kind, message) => violations.push({ kind, message, by: cpu0, atMs: 0 }));
  cpu0 = 'audit';
  const mem = coordinator.mem;
  if (opts.flightRecorder === false) turnFlightRecorderOff(mem, L);
  const counters: Record<string, KernelCounters> = {};
  const stubs: Record<string, number> = {};
  const workers: Worker[] = [];
  const names = ['audit', ...roles.map(({ role, index }) => `${role}#${index}`)];
  const recent = () => recentKernelOps(mem, coordinator.bytes, L, names);
  const startEpochMs = Date.now();
  const done = new Set<number>();
  const every = { statIntervalMs: opts.statIntervalMs ?? 0, auditEveryMs: opts.auditEveryMs ?? 0, parkMs: opts.parkMs ?? PARK_MS, onEpoch: opts.onEpoch };
  const watch = new KernelWatch(coordinator, every, () => running === roles.length && done.size === 0, roles.length, (kind, message, by) => {
    Atomics.add(mem, HDR.VIOLATIONS, 1);
    violations.push({ kind, message, by, atMs: Date.now() - startEpochMs, recent: recent() });
    if (!opts.keepGoing) stop();
  });
  const finished = roles.map(({ role, index }, i) => {
    const hold = opts.hold ?? ZERO;
    const pause = opts.pauses?.[role] ?? ZERO;
    const task: KernelRoleTask = { wasm: compiled.wasm, memory, pages: opts.pages, cpus: L.cpus, objectSlots, cpu: i + 1, role, index, seed: opts.seed, config: cfg, hold, pause, startEpochMs, names };
    const worker = spawnWorker('kernel-role', task);
    workers.push(worker);
    return new Promise<boolean>((resolve) => {
      worker.on('message', (m: KernelWorkerMessage) => {
        if (m.type === 'running') {
          if (++running === roles.length) startupMs = performance.now() - t0;
        } else if (m.type === 'violation') {
          violations.push({ kind: m.kind, message: m.message, by: m.by, atMs: m.atMs, recent: m.recent });
          if (!opts.keepGoing) stop();
        } else if (m.type === 'interval') {
          watch.collector.accept(m);
        } else {
          counters[m.by] = m.counters;
          for (const [k, v] of Object.entries(m.stubs)) stubs[k] = (stubs[k] ?? 0) + v;
          // an oops may leave locks held and the pool half changed: no audit after it
          resolve(!m.oopsed);
        }
      });
      worker.on('error', (err) => {
        violations.push({ kind: 'stall', message: `${role} ${index} failed: ${err.message}`, by: `${role} ${index}`, atMs: Date.now() - startEpochMs });
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
  watch.start();
  finished.forEach((f, i) => void f.then(() => done.add(i + 1)));
  const stalls = stallWatch(mem, L, names.slice(1), opts.stallMs ?? STALL_MS, done, (message, by) => {
    violations.push({ kind: 'stall', message, by, atMs: Date.now() - startEpochMs, recent: recent() });
    if (!opts.keepGoing) stop();
  });
  const graceful = await finishedOrStuck(finished, mem);
  clearInterval(stalls);
  watch.stop();
  stop();
  await Promise.all(workers.map((w) => w.terminate()));
  const elapsedMs = Math.round(watch.elapsed());
  // with every CPU done: the deferred work run, then the quiescent audit
  const audited = graceful ? (coordinator.call(() => coordinator.x.zsh_run_work()), watch.audit('audit')) : null;
  const totals = Object.fromEntries(Object.entries(watch.collector.totals).filter(([, h]) => h.totalCount > 0));
  return { compiled, violations, counters, stubs, audited, startupMs, totals, intervals: watch.collector.intervals(elapsedMs), audits: watch.audits };
}

/** Whether every worker finished without an oops; false once the grace after the stop word runs out (a CPU stuck in the kernel). */
async function finishedOrStuck(finished: Promise<boolean>[], mem: Int32Array): Promise<boolean> {
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
  return graceful;
}

/**
 * The watchdog (kernel/watchdog.c's soft-lockup detector, scaled down): every WATCH_MS,
 * each running CPU's stall-watch word; one that stays the same atomic section for
 * `stallMs` of the watch's own time is reported once. Of several, the section that began
 * first (the smallest number) is named: the others are most likely waiting for it. The
 * watch only measures what it saw itself, so a late tick never makes a short section long.
 */
function stallWatch(
  mem: Int32Array,
  L: KernelLayout,
  names: string[],
  stallMs: number,
  done: Set<number>,
  report: (message: string, by: string) => void,
): NodeJS.Timeout {
  const cpus = names.length;
  const epochs = L.epochs;
  const seen = new Int32Array(cpus + 1);
  const since = new Float64Array(cpus + 1);
  const reported = new Set<number>();
  return setInterval(() => {
    const now = performance.now();
    let worst = 0;
    for (let cpu = 1; cpu <= cpus; cpu++) {
      const section = Atomics.load(mem, epochs + 1 + cpu);
      if (section === 0 || done.has(cpu) || reported.has(cpu)) {
        seen[cpu] = 0;
        continue;
      }
      if (section !== seen[cpu]) {
        seen[cpu] = section;
        since[cpu] = now;
      }
    }
    for (let cpu = 1; cpu <= cpus; cpu++) {
      if (seen[cpu] !== 0 && now - since[cpu]! >= stallMs && (worst === 0 || seen[cpu]! < seen[worst]!)) worst = cpu;
    }
    if (worst !== 0) {
      reported.add(worst);
      const cpu = (c: number) => `CPU ${c} (${names[c - 1]})`;
      const others: string[] = [];
      for (let c = 1; c <= cpus; c++) if (c !== worst && seen[c] !== 0) others.push(`${cpu(c)} for ${Math.round(now - since[c]!)} ms`);
      const also = others.length > 0 ? `; also in atomic context: ${others.join(', ')}` : '';
      report(`soft lockup: ${cpu(worst)} has been in atomic context for ${Math.round(now - since[worst]!)} ms${sleepersNote(mem, L.zlocks)}${also}`, names[worst - 1]!);
    }
  }, WATCH_MS);
}

/** What the zspage-lock table says of readers asleep holding a zspage lock, for a stall's message. */
function sleepersNote(mem: Int32Array, zlocks: number): string {
  let locks = 0;
  for (let slot = 0; slot < ZLOCK_SLOTS; slot++) if (Atomics.load(mem, zlocks + slot * ZLOCK_WORDS + ZLOCK.SLEEPERS) > 0) locks++;
  return locks === 0 ? '' : `, while readers sleep holding ${locks} zspage lock(s)`;
}
