// The kernel pool's flight recorder's cost (src/zsmalloc/flight.ts): one CPU playing a
// reader's and a churner's steps (src/zsmalloc/roles.ts) on the mainline fixture, with the
// recorder on (the default) against off, in rounds whose order rotates, per CPU second of
// this thread (the only one running), so that other tenants' load moves the figures less.
// Every step is a ring entry, and so is every zspage-lock event in it (acquire, acquired,
// inside, release): a read makes four, a write or a free about as many. A second row: the
// default scenario's run on the kernel pool, every role a CPU, recorder on against off,
// alternating: there every entry also takes its number from the one sequence all CPUs share.
import { join } from 'node:path';
import { resolveRunConfig } from '../../src/coordinator/config.js';
import { kernelStressOptions } from '../../src/coordinator/kernel-run.js';
import { runKernelStress } from '../../src/coordinator/kernel-stress.js';
import { packageRoot } from '../../src/paths.js';
import { Rng } from '../../src/rng.js';
import { compileZsmalloc } from '../../src/zsmalloc/compile.js';
import { turnFlightRecorderOff } from '../../src/zsmalloc/flight.js';
import { kernelLayout } from '../../src/zsmalloc/layout.js';
import { kernelRoleStep, newKernelCounters, storeObject, type KernelRoleConfig } from '../../src/zsmalloc/roles.js';
import { KernelPool } from '../../src/zsmalloc/runtime.js';
import { median, type Rounds } from '../lib/measure.js';
import { progress } from '../lib/progress.js';
import { budget, ns, type Row } from '../lib/report.js';

/** The recorder may take this share of a role step at most. */
const FLIGHT_BUDGET = 0.1;
const RUN_S = 3;
const RUN_ROUNDS = 3;
const CONFIG: KernelRoleConfig = { stable: 300, churnEach: 300, minSize: 32, maxSize: 3000, sleepFraction: 0, hotObjects: 0, hotFraction: 0, targetedMigrations: 0 };

function setup(module: WebAssembly.Module, record: boolean): () => void {
  const L = kernelLayout(4096, 1, CONFIG.stable + CONFIG.churnEach);
  const memory = new WebAssembly.Memory({ initial: L.totalBytes / 65536, maximum: L.totalBytes / 65536, shared: true });
  if (!record) turnFlightRecorderOff(new Int32Array(memory.buffer as unknown as SharedArrayBuffer), L);
  const pool = new KernelPool(module, memory, L, 0, { report: (kind, m) => { throw new Error(`bench: ${kind}: ${m}`); } });
  pool.boot();
  pool.x.zsh_cpu_up();
  const rng = new Rng(1, 0);
  for (let slot = 0; slot < CONFIG.stable; slot++) storeObject(pool, slot, CONFIG.minSize + rng.below(CONFIG.maxSize - CONFIG.minSize));
  const counters = newKernelCounters();
  const fail = (m: string) => { throw new Error(`bench: ${m}`); };
  const read = kernelRoleStep('reader', pool, CONFIG, 0, rng, counters, fail, () => 0);
  const churn = kernelRoleStep('churner', pool, CONFIG, 0, rng, counters, fail, () => 0);
  return () => {
    read();
    churn();
  };
}

/** Steps per CPU second over `ms`. */
function run(steps: () => void, ms: number): number {
  const end = performance.now() + ms;
  const cpu0 = process.cpuUsage();
  let n = 0;
  while (performance.now() < end) for (let k = 0; k < 64; k++, n += 2) steps();
  const cpu = process.cpuUsage(cpu0);
  return n / ((cpu.user + cpu.system) / 1e6);
}

export async function kernelFlightCost({ rounds, ms }: Rounds): Promise<Row[]> {
  const tree = join(packageRoot(), 'test', 'fixtures', 'kernel', 'mainline');
  const module = new WebAssembly.Module((await compileZsmalloc(tree)).wasm as unknown as ArrayBuffer);
  const benches = [setup(module, true), setup(module, false)];
  for (const b of benches) run(b, 50);
  const rates: number[][] = [[], []];
  for (let r = 0; r < 2 * rounds; r++) {
    for (let k = 0; k < 2; k++) {
      const i = (k + r) % 2;
      rates[i]!.push(run(benches[i]!, ms));
    }
  }
  const [on, off] = rates.map(median) as [number, number];
  const s = 1 - on / off;
  return [
    ...(await stressRows(tree)),
    {
      section: 'kernel-flight',
      name: "flight recorder, share of a kernel pool role step (a reader's and a churner's, mainline zsmalloc.c, one CPU)",
      measured: `${ns(1e9 / on - 1e9 / off)} of ${ns(1e9 / on)} per step (CPU time)`,
      against: `recorder off: ${ns(1e9 / off)}`,
      ratio: s,
      ...budget(`<= ${FLIGHT_BUDGET.toFixed(2)}x`, s <= FLIGHT_BUDGET, () => 'the flight recorder costs more than its budget: profile KernelFlightRecorder.write'),
      raw: { nsWith: 1e9 / on, nsWithout: 1e9 / off, share: s },
    },
  ];
}

/** Role steps per second (every role) over a run of the default scenario on the kernel pool. */
async function stepsPerSecond(tree: string, round: number, flightRecorder: boolean): Promise<number> {
  const cfg = resolveRunConfig({ scenario: 'default', duration: RUN_S, seed: 1 + round });
  const r = await runKernelStress({ ...kernelStressOptions(cfg, tree), flightRecorder });
  if (r.violations.length > 0) throw new Error(`bench: the kernel pool failed: ${r.violations[0]!.message}`);
  return Object.values(r.counters).reduce((n, c) => n + c.ops, 0) / RUN_S;
}

async function stressRows(tree: string): Promise<Row[]> {
  const on: number[] = [];
  const off: number[] = [];
  for (let round = 0; round < RUN_ROUNDS; round++) {
    progress(`kernel flight recorder: default scenario, on and off (round ${round + 1} of ${RUN_ROUNDS})`);
    const first = round % 2 === 0;
    (first ? on : off).push(await stepsPerSecond(tree, round, first));
    (first ? off : on).push(await stepsPerSecond(tree, round, !first));
  }
  const [a, b] = [median(on), median(off)];
  return [
    {
      section: 'kernel-flight',
      name: 'flight recorder on the kernel pool: role steps per second, default scenario, every role a CPU (mainline zsmalloc.c)',
      measured: `${(a / 1000).toFixed(1)} k/s`,
      against: `recorder off: ${(b / 1000).toFixed(1)} k/s`,
      ratio: a / b,
      raw: { on: a, off: b },
    },
  ];
}
