// `explore --zsmalloc PATH --program P`: small programs on the kernel's own zsmalloc.c,
// explored at every kernel call. Each CPU is a worker (workers/kernel-explorer.ts) that stops
// at each kernel call until the scheduler gives it the turn (src/zsmalloc/gate.ts); the
// scheduler picks with the explorer's random or PCT strategy. An execution is its program,
// strategy, seed and number, and replays exactly from them.
import type { Worker } from 'node:worker_threads';
import { HDR } from '../arena/layout.js';
import { BadInputError } from '../errors.js';
import { pctChooser, randomChooser } from '../explorer/strategies.js';
import type { ViolationKind } from '../grading/vocabulary.js';
import { Rng } from '../rng.js';
import type { KernelExecution, KernelExploreMessage } from '../supervised/kernel-explore-messages.js';
import { spawnWorker } from '../supervised/worker.js';
import { compileZsmalloc } from '../zsmalloc/compile.js';
import { abortExecution, CPU_STATE, GATE, gateWords, runToNextPoint } from '../zsmalloc/gate.js';
import { kernelLayout, type KernelLayout } from '../zsmalloc/layout.js';
import { parseKernelProgram, type KernelOp } from '../zsmalloc/program.js';
import { pfnOfObject, storeObject } from '../zsmalloc/roles.js';
import { KernelPool } from '../zsmalloc/runtime.js';

export interface KernelExploreOptions {
  zsmalloc: string;
  program: string;
  strategy: 'random' | 'pct';
  depth: number;
  iterations: number;
  seed: number;
  /** The setup: this many objects of `objectSize` bytes (one class: neighbours on shared pages). */
  objects: number;
  objectSize: number;
  /** Kernel calls an execution may make before it counts as a livelock. */
  maxSteps: number;
  /** Only this execution (a replay). */
  only?: number;
  /** Stop after the execution that ends this long (ms) after the first began: a turn of check's explore part. */
  sliceMs?: number;
}

export interface KernelExploreFailure {
  kind: ViolationKind;
  message: string;
  /** `--replay` text: program@strategy:seed:execution. */
  replay: string;
  steps: number;
}

export interface KernelExploreResult {
  iterations: number;
  steps: number;
  elapsedMs: number;
  failure: KernelExploreFailure | null;
}

const PAGES = 256;
/**
 * A CPU that made this many calls in a row while others could run is spinning (waiting for
 * them): it is left out of the picks for a while, twice as long each time it spins again,
 * so that a strategy that keeps picking it (PCT) lets the others make progress.
 */
const SPIN_LIMIT = 64;
const SPIN_BACKOFF_MAX = 1 << 14;
/** A CPU that holds the turn this long without a kernel call is stuck in the file's own code. */
const STUCK_MS = 2000;
/** PCT's guess of an execution's steps, until execution 0 has measured one. */
const FIRST_ESTIMATE = 100;

export function parseKernelReplay(text: string): { program: string; strategy: 'random' | 'pct'; seed: number; execution: number } {
  const m = /^(.+)@(random|pct):(\d+):(\d+)$/.exec(text.trim());
  if (!m) throw new BadInputError(`--replay: '${text}' is not PROGRAM@random|pct:SEED:EXECUTION`);
  return { program: m[1]!, strategy: m[2] as 'random' | 'pct', seed: Number(m[3]), execution: Number(m[4]) };
}

export async function exploreKernel(opts: KernelExploreOptions): Promise<KernelExploreResult> {
  const programs = parseKernelProgram(opts.program, opts.objects);
  const compiled = await compileZsmalloc(opts.zsmalloc);
  const cpus = programs.length + 1;
  const L = kernelLayout(PAGES, cpus, opts.objects);
  const module = new WebAssembly.Module(compiled.wasm as unknown as ArrayBuffer);
  const workers = programs.map((_, i) => spawnWorker('kernel-explorer', { wasm: compiled.wasm, cpu: i + 1 }));
  const t0 = performance.now();
  let steps = 0;
  // PCT picks its change points among the steps an execution is expected to take: those of
  // execution 0 (run with a first guess), the same for every later execution and its replay
  let estimate = FIRST_ESTIMATE;
  try {
    const first = opts.only ?? 0;
    const last = opts.only ?? opts.iterations - 1;
    if (first > 0 && opts.strategy === 'pct') estimate = Math.max(FIRST_ESTIMATE, (await execute(0)).steps);
    for (let n = first; n <= last; n++) {
      if (opts.sliceMs !== undefined && n > first && performance.now() - t0 >= opts.sliceMs) return { iterations: n - first, steps, elapsedMs: performance.now() - t0, failure: null };
      const run = await execute(n);
      steps += run.steps;
      if (n === 0) estimate = Math.max(FIRST_ESTIMATE, run.steps);
      if (run.violation) {
        const replay = `${opts.program}@${opts.strategy}:${opts.seed}:${n}`;
        return { iterations: n - first + 1, steps, elapsedMs: performance.now() - t0, failure: { ...run.violation, replay, steps: run.steps } };
      }
    }
    return { iterations: last - first + 1, steps, elapsedMs: performance.now() - t0, failure: null };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }

  async function execute(n: number) {
    const memory = new WebAssembly.Memory({ initial: L.totalBytes / 65536, maximum: L.totalBytes / 65536, shared: true });
    const { pool, setupViolations, setupPfns } = setUp(module, memory, L, opts);
    const control = new SharedArrayBuffer(4 * gateWords(cpus));
    const ctl = new Int32Array(control);
    const seen: { kind: ViolationKind; message: string }[] = [];
    const ran = programs.map((ops, i) => runOn(workers[i]!, { type: 'run', memory, control, pages: PAGES, cpus, objectSlots: opts.objects, ops, setupPfns }, seen));
    const steps = schedule(ctl, pool.mem, n);
    await Promise.all(ran);
    const violation = seen[0] ?? setupViolations[0] ?? (steps < 0 ? livelock() : finalAudit(pool));
    return { steps: Math.abs(steps), violation };
  }

  /** Runs the execution to its end; the steps taken (negative: the bound or a stuck CPU ended it). */
  function schedule(ctl: Int32Array, mem: Int32Array, n: number): number {
    const rng = new Rng(opts.seed, n);
    const choose = opts.strategy === 'pct' ? pctChooser(rng, programs.length, opts.depth, estimate) : randomChooser(rng);
    const status = (cpu: number) => Atomics.load(ctl, GATE.STATUS + cpu);
    const end = (step: number, bound: boolean) => (abortExecution(ctl, programs.length), bound ? -Math.max(1, step) : step);
    // every CPU at its first point (or done) before the first pick
    for (let cpu = 1; cpu <= programs.length; cpu++) {
      while (status(cpu) === CPU_STATE.RUNNING) if (Atomics.wait(ctl, GATE.STATUS + cpu, CPU_STATE.RUNNING, STUCK_MS) === 'timed-out') return end(0, true);
    }
    let last = -1;
    let run = 0;
    const backoff = programs.map(() => SPIN_LIMIT);
    const leftOutUntil = programs.map(() => 0);
    for (let step = 0; ; step++) {
      // a sleeping CPU runs when nobody else can
      const ready = [];
      for (let cpu = 1; cpu <= programs.length; cpu++) if (status(cpu) === CPU_STATE.AT_POINT) ready.push(cpu - 1);
      if (ready.length === 0) for (let cpu = 1; cpu <= programs.length; cpu++) if (status(cpu) === CPU_STATE.SLEEPING) ready.push(cpu - 1);
      if (ready.length === 0) return step;
      if (Atomics.load(mem, HDR.VIOLATIONS) !== 0) return end(step, false);
      if (step >= opts.maxSteps) return end(step, true);
      if (run >= SPIN_LIMIT && ready.length > 1) {
        leftOutUntil[last] = step + backoff[last]!;
        backoff[last] = Math.min(SPIN_BACKOFF_MAX, 2 * backoff[last]!);
        run = 0;
      }
      const running = ready.filter((c) => leftOutUntil[c]! <= step);
      const pool = running.length > 0 ? running : ready;
      const pick = choose(pool, step) ?? pool[0]!;
      run = pick === last ? run + 1 : 1;
      last = pick;
      if (!runToNextPoint(ctl, pick + 1, STUCK_MS)) return end(step, true);
    }
  }
}

/** The pool booted on CPU 0 with the setup's objects stored, and the page each is on. */
function setUp(module: WebAssembly.Module, memory: WebAssembly.Memory, L: KernelLayout, opts: KernelExploreOptions) {
  const setupViolations: { kind: ViolationKind; message: string }[] = [];
  const pool = new KernelPool(module, memory, L, 0, { report: (kind, message) => setupViolations.push({ kind, message }) });
  pool.boot();
  pool.x.zsh_cpu_up();
  for (let slot = 0; slot < opts.objects; slot++) if (!storeObject(pool, slot, opts.objectSize)) throw new Error('explore: the setup ran out of pages');
  const setupPfns = Array.from({ length: opts.objects }, (_, slot) => pfnOfObject(pool, slot));
  return { pool, setupViolations, setupPfns };
}

function runOn(worker: Worker, run: KernelExecution, seen: { kind: ViolationKind; message: string }[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: KernelExploreMessage) => {
      if (m.type === 'violation') seen.push({ kind: m.kind, message: m.message });
      else {
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve();
      }
    };
    worker.on('message', onMessage);
    worker.on('error', reject);
    worker.postMessage(run);
  });
}

const livelock = () => ({ kind: 'stall' as ViolationKind, message: 'the CPUs did not finish their programs within the step bound: a livelock or a deadlock' });

function finalAudit(pool: KernelPool): { kind: ViolationKind; message: string } | undefined {
  pool.x.zsh_run_work();
  const out = pool.scratch;
  if (pool.x.zsh_audit(out) >= 0) return undefined;
  const [cls, group, what, found, expected] = Array.from(pool.mem.subarray(out >> 2, (out >> 2) + 5));
  return { kind: 'audit', message: `class ${cls}, fullness group ${group}: audit check ${what} found ${found}, expected ${expected}` };
}

export type { KernelOp };
