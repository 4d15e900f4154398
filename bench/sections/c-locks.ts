// A lock written in C: what compiling it costs (first compile, with the toolchain loaded
// from scratch, and a cache hit), and its read pair against the same design written as a
// JS module (the built-in zspage-spinlock: a spinlock word and a count, the same two
// words), both through the harness's reader atomics, in alternating rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCLock } from '../../src/locks/c/compile.js';
import { cLockDesign } from '../../src/locks/c/design.js';
import { packageRoot } from '../../src/paths.js';
import { Crew } from '../lib/crew.js';
import { figure, interleave, median, ratio, type Measured, type Rounds } from '../lib/measure.js';
import { progress } from '../lib/progress.js';
import { budget, rate, type Row } from '../lib/report.js';
import { buildWorld } from '../lib/world.js';

const EXAMPLE = 'examples/zspage-lock.c';
const JS_TWIN = 'zspage-spinlock';
const FIRST_COMPILE_BUDGET_S = 10;
const CACHED_BUDGET_MS = 50;
const READ_PAIR_BUDGET = 1 / 3;
const CACHED_SAMPLES = 9;

export async function cLocks(rounds: Rounds): Promise<Row[]> {
  const file = join(packageRoot(), EXAMPLE);
  const rows: Row[] = [];
  // A cache of its own, so that the first compile is one.
  const cache = mkdtempSync(join(tmpdir(), 'zss-bench-cache-'));
  const saved = process.env.ZSPAGE_STRESS_CACHE;
  process.env.ZSPAGE_STRESS_CACHE = cache;
  try {
    progress('C locks: first compile');
    // CPU time of the whole process (as the other sections, so that the machine's other
    // tenants do not count); the wall time is in the raw figures.
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const first = await compileCLock(file, EXAMPLE);
    const used = process.cpuUsage(c0);
    const firstS = (used.user + used.system) / 1e6;
    const wallS = (performance.now() - t0) / 1000;
    if (first.cached) throw new Error('bench: the first compile came from the cache');
    rows.push({
      section: 'C lock',
      name: `${EXAMPLE}: first compile (toolchain load, clang, lld)`,
      measured: `${firstS.toFixed(2)} s CPU (${wallS.toFixed(1)} s wall)`,
      against: `budget ${FIRST_COMPILE_BUDGET_S} s`,
      ratio: firstS / FIRST_COMPILE_BUDGET_S,
      raw: { cpuSeconds: firstS, wallSeconds: wallS },
      ...budget(`<= ${FIRST_COMPILE_BUDGET_S} s`, firstS <= FIRST_COMPILE_BUDGET_S, () => 'the machine is loaded, or the toolchain grew'),
    });
    // A cache hit as a run sees it: hash, read the module, compile and check it (a fresh
    // design each time, so its instance is made anew too).
    const hits: number[] = [];
    for (let i = 0; i < CACHED_SAMPLES; i++) {
      const t = performance.now();
      const again = await compileCLock(file, EXAMPLE);
      cLockDesign(again);
      hits.push(performance.now() - t);
      if (!again.cached) throw new Error('bench: a second compile missed the cache');
    }
    const hitMs = median(hits);
    rows.push({
      section: 'C lock',
      name: `${EXAMPLE}: cached (hash, read, compile and check the module)`,
      measured: `${hitMs.toFixed(1)} ms (median of ${CACHED_SAMPLES})`,
      against: `budget ${CACHED_BUDGET_MS} ms`,
      ratio: hitMs / CACHED_BUDGET_MS,
      raw: { ms: hitMs, minMs: Math.min(...hits), maxMs: Math.max(...hits) },
      ...budget(`<= ${CACHED_BUDGET_MS} ms`, hitMs <= CACHED_BUDGET_MS, () => 'reading the shim or hashing grew'),
    });

    progress('C locks: read pair against the same design in JS');
    const world = buildWorld(JS_TWIN, { arena: '1MiB', stable: 64, minSize: 4, maxSize: 4 });
    const zspages = [0];
    const c = await Crew.start(world.arena, { kind: 'lock', lock: file, atomics: 'reader', zspages }, 1);
    const js = await Crew.start(world.arena, { kind: 'lock', lock: JS_TWIN, atomics: 'reader', zspages }, 1);
    const [mc, mj] = (await interleave(
      [
        { name: 'C', crew: c, loop: 'read' },
        { name: 'JS', crew: js, loop: 'read' },
      ],
      rounds,
    )) as [Measured, Measured];
    await Promise.all([c.close(), js.close()]);
    const x = ratio(mc, mj, 'cpu');
    rows.push({
      section: 'C lock',
      name: `${EXAMPLE} read pair, 1 thread, harness atomics`,
      measured: `${rate(figure(mc, 'cpu'))} per thread`,
      against: `${JS_TWIN} (JS) ${rate(figure(mj, 'cpu'))}`,
      ratio: x,
      raw: { opsPerCpuSec: figure(mc, 'cpu'), jsOpsPerCpuSec: figure(mj, 'cpu'), ratio: x },
      ...budget(`>= ${READ_PAIR_BUDGET.toFixed(2)}x`, x >= READ_PAIR_BUDGET, () => 'each kernel call crosses from WebAssembly into the JS atomics'),
    });
  } finally {
    if (saved === undefined) delete process.env.ZSPAGE_STRESS_CACHE;
    else process.env.ZSPAGE_STRESS_CACHE = saved;
    rmSync(cache, { recursive: true, force: true });
  }
  return rows;
}
