// Start-up: from calling runStress (the real one, default scenario) until every
// worker has finished its first operation (its PROGRESS word in the arena), against
// starting as many bare worker threads that do nothing. Wall time and the CPU time
// of every thread of the process over the same span.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { computeLayout, WRK } from '../../src/arena/layout.js';
import { resolveRunConfig, workerCount } from '../../src/coordinator/config.js';
import { runStress } from '../../src/coordinator/run.js';
import { arenaParams } from '../../src/coordinator/setup.js';
import { CATALOG } from '../../src/locks/catalog.js';
import { compiledPath } from '../../src/paths.js';
import { sleep } from '../lib/crew.js';
import { median } from '../lib/measure.js';
import { budget, ms, type Row } from '../lib/report.js';

const BUDGET_MS = 500;
const ROUNDS = 3;
/** The run is interrupted (as by ^C) once every worker runs; this only caps a stuck start. */
const DURATION_S = 20;

interface Start {
  wall: number;
  cpu: number;
}

const processCpuMs = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};

export async function startup(): Promise<Row[]> {
  const rows: Row[] = [];
  const out = mkdtempSync(join(tmpdir(), 'zspage-stress-bench-'));
  try {
    // The default scenario's five workers, then eight (more readers).
    for (const readers of [2, 5]) {
      const runs: Start[] = [];
      const bare: Start[] = [];
      let workers = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const run = await timeRunStart(readers, join(out, `${readers}-${r}`));
        workers = run.workers;
        runs.push(run);
        bare.push(await timeBareWorkers(workers));
      }
      const h = { wall: median(runs.map((x) => x.wall)), cpu: median(runs.map((x) => x.cpu)) };
      const f = { wall: median(bare.map((x) => x.wall)), cpu: median(bare.map((x) => x.cpu)) };
      const budgeted = readers === 2;
      rows.push({
        section: 'start-up',
        name: `every worker running, ${workers} workers (default scenario${budgeted ? '' : `, ${readers} readers`})`,
        measured: `${ms(h.wall)} wall (${ms(h.cpu)} CPU)`,
        against: `bare threads ${ms(f.wall)} (${ms(f.cpu)} CPU)`,
        ratio: f.wall / h.wall,
        ...(budgeted
          ? budget(`<= ${BUDGET_MS} ms`, h.wall <= BUDGET_MS, () =>
              `starting took ${ms(h.cpu)} of CPU over all threads (${ms(h.cpu / workers)} a worker: Node's worker boot, ` +
              `loading the role module graph and hdr-histogram-js); on ${cpus().length} cores that is at least ` +
              `${ms(h.cpu / cpus().length)} of wall time with nothing else running, and the load average was ` +
              `${loadavg()[0]!.toFixed(1)}; see docs/BENCHMARKS.md for what would close it`)
          : {}),
        raw: { workers, startWallMs: h.wall, startCpuMs: h.cpu, bareWallMs: f.wall, bareCpuMs: f.cpu },
      });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return rows;
}

// The arena is found by watching shared WebAssembly.Memory construction (the arena is one),
// so that the real runStress runs unchanged.
export async function timeRunStart(readers: number, out: string): Promise<Start & { workers: number }> {
  const cfg = resolveRunConfig({ scenario: 'default', duration: DURATION_S, seed: 1, readers, out });
  const params = arenaParams(cfg.scenario, CATALOG[cfg.lockName]!.design);
  const workers = workerCount(cfg.scenario);
  const layout = computeLayout(params);
  const Original = WebAssembly.Memory;
  let arena: WebAssembly.Memory | null = null;
  WebAssembly.Memory = class extends Original {
    constructor(descriptor: WebAssembly.MemoryDescriptor) {
      super(descriptor);
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- the arena's Memory, caught as it is made
      if (descriptor.shared && this.buffer.byteLength === layout.totalBytes) arena ??= this;
    }
  } as typeof WebAssembly.Memory;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = runStress(cfg, () => {});
  let start: Start | null = null;
  try {
    while (start === null && performance.now() - t0 < DURATION_S * 1000) {
      await sleep(1);
      if (!arena) continue;
      WebAssembly.Memory = Original;
      const mem = new Int32Array((arena as WebAssembly.Memory).buffer);
      const progress = (w: number) => Atomics.load(mem, layout.workers + w * layout.workerWords + WRK.PROGRESS);
      if (Array.from({ length: workers }, (_, w) => progress(w)).every((p) => p > 0)) {
        start = { wall: performance.now() - t0, cpu: processCpuMs(cpu0) };
      }
    }
  } finally {
    WebAssembly.Memory = Original;
  }
  process.emit('SIGINT');
  await done;
  if (!start) throw new Error(`start-up: not every worker ran within ${DURATION_S} s`);
  return { ...start, workers };
}

async function timeBareWorkers(n: number): Promise<Start> {
  const ctl = new SharedArrayBuffer(4 * n);
  const seen = new Int32Array(ctl);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const exited = Array.from({ length: n }, (_, index) => {
    const w = new Worker(compiledPath('bench', 'workers', 'hello-worker.js'), { workerData: { ctl, index } });
    return new Promise((r) => w.once('exit', r));
  });
  while (!seen.every((x) => x === 1)) await sleep(1);
  const start = { wall: performance.now() - t0, cpu: processCpuMs(cpu0) };
  await Promise.all(exited);
  return start;
}
