// Lockdep's cost on the kernel's own zsmalloc.c (src/zsmalloc/lockdep.ts): one CPU doing
// zram's mix (a read, a write, and a store-or-free of a churned object) on the mainline
// fixture, with lockdep on (the default) against off, in rounds whose order rotates,
// per CPU second of this thread (the only one running), so that other tenants' load
// moves the figures less.
// Each operation takes and drops the pool lock, a class lock or zspage lock and the
// spinlock inside it: every one a lockdep event. A second row: the default build, which
// checks every plain load and store (kasanFull), against the build without, both with lockdep.
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { Rng } from '../../src/rng.js';
import { compileZsmalloc } from '../../src/zsmalloc/compile.js';
import { kernelLayout } from '../../src/zsmalloc/layout.js';
import { KernelPool } from '../../src/zsmalloc/runtime.js';
import { median, type Rounds } from '../lib/measure.js';
import { budget, ns, type Row } from '../lib/report.js';

/** Lockdep may take this share of a kernel pool operation at most. */
const KLOCKDEP_BUDGET = 0.25;
const OBJECTS = 400;

interface Bench {
  pool: KernelPool;
  handles: number[];
  rng: Rng;
}

function setup(module: WebAssembly.Module, lockdep: boolean): Bench {
  const L = kernelLayout(4096, 1);
  const memory = new WebAssembly.Memory({ initial: L.totalBytes / 65536, maximum: L.totalBytes / 65536, shared: true });
  const pool = new KernelPool(module, memory, L, 0, { report: (kind, m) => { throw new Error(`bench: ${kind}: ${m}`); } }, { lockdep });
  pool.boot();
  pool.x.zsh_cpu_up();
  const err = pool.scratch + 8192 - 8;
  const handles = [];
  for (let i = 0; i < OBJECTS; i++) {
    const len = 32 + ((i * 977) % 2000);
    const h = pool.x.zsh_malloc(len, err);
    pool.x.zsh_fill(pool.scratch, len, h);
    pool.x.zsh_write(h, pool.scratch, len);
    handles.push(h, len);
  }
  return { pool, handles, rng: new Rng(1, 0) };
}

/** Operations per CPU second over `ms` of zram's mix. */
function run({ pool, handles, rng }: Bench, ms: number): number {
  const err = pool.scratch + 8192 - 8;
  const end = performance.now() + ms;
  const cpu0 = process.cpuUsage();
  let ops = 0;
  while (performance.now() < end) {
    for (let k = 0; k < 64; k++, ops += 3) {
      const i = 2 * rng.below(OBJECTS);
      const h = handles[i]!;
      const len = handles[i + 1]!;
      const addr = pool.x.zsh_read_begin(h, len, pool.scratch);
      pool.x.zsh_read_end(h, len, addr);
      pool.x.zsh_write(h, pool.scratch, len);
      const churned = pool.x.zsh_malloc(len, err);
      pool.x.zsh_free(churned);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return ops / ((cpu.user + cpu.system) / 1e6);
}

export async function kernelLockdepCost({ rounds, ms }: Rounds): Promise<Row[]> {
  const tree = join(packageRoot(), 'test', 'fixtures', 'kernel', 'mainline');
  const moduleOf = async (kasanFull: boolean) => new WebAssembly.Module((await compileZsmalloc(tree, { kasanFull })).wasm as unknown as ArrayBuffer);
  const module = await moduleOf(true);
  const benches = [setup(module, true), setup(module, false), setup(await moduleOf(false), true)];
  for (const b of benches) run(b, 50);
  const rates: number[][] = benches.map(() => []);
  for (let r = 0; r < 2 * rounds; r++) {
    for (let k = 0; k < benches.length; k++) {
      const i = (k + r) % benches.length;
      rates[i]!.push(run(benches[i]!, ms));
    }
  }
  const [on, off, plain] = rates.map(median) as [number, number, number];
  const s = 1 - on / off;
  return [
    {
      section: 'kernel-lockdep',
      name: 'lockdep, share of a kernel pool operation (mainline zsmalloc.c, one CPU)',
      measured: `${ns(1e9 / on - 1e9 / off)} of ${ns(1e9 / on)} per operation (CPU time)`,
      against: `lockdep off: ${ns(1e9 / off)}`,
      ratio: s,
      ...budget(`<= ${KLOCKDEP_BUDGET.toFixed(2)}x`, s <= KLOCKDEP_BUDGET, () => 'kernel lockdep costs more than its budget: profile KernelLockdep.event'),
      raw: { nsWith: 1e9 / on, nsWithout: 1e9 / off, share: s },
    },
    {
      section: 'kernel-lockdep',
      name: 'KASAN on every plain access (kasanFull, the default), a kernel pool operation (mainline zsmalloc.c, one CPU)',
      measured: `${ns(1e9 / on)} per operation (CPU time)`,
      against: `kasanFull off: ${ns(1e9 / plain)}`,
      ratio: plain / on,
      raw: { nsFull: 1e9 / on, nsWithout: 1e9 / plain },
    },
  ];
}
