// Harness reader cycles (the real reader role, no sleep, 4-byte objects so that
// verification is one word) against a bare loop calling the same lock's read pair
// on the same zspages with the same number of threads, and the layers between.
import { figure, interleave, ratio, share, type Measured, type Rounds } from '../lib/measure.js';
import { Crew } from '../lib/crew.js';
import { budget, ns, rate, type Row } from '../lib/report.js';
import type { CrewSpec } from '../lib/spec.js';
import { buildWorld, SEED, withTimingSample, type World } from '../lib/world.js';

const LOCK = 'zspage-atomic';
/** The default scenario's readers. */
export const READERS = 2;
const NEVER = 1 << 20;
const CYCLE_BUDGET = 0.5;
const INSTRUMENT_BUDGET = 0.25;
/** The harness's checks and measurements on a reader cycle, against the model's own cost (its floor). */
const OVERHEAD_BUDGET = 1;

export const tinyObjects = () => buildWorld(LOCK, { arena: '32MiB', stable: 20_000, minSize: 4, maxSize: 4 });

const harness = (w: World, timingSample: number): Extract<CrewSpec, { kind: 'harness-reader' }> => ({
  kind: 'harness-reader',
  lock: LOCK,
  scenario: withTimingSample(w.scenario, timingSample),
  stable: w.setup.stable,
  seed: SEED,
});
export const bare = (w: World): CrewSpec => ({ kind: 'bare-reader', lock: LOCK, span: w.zspagesInUse, seed: SEED });
export const shipped = (w: World): CrewSpec => harness(w, w.scenario.readers.timingSample);

// Where a reader cycle's time goes, layer by layer, when it misses its budget.
function cycleNote(model: Measured, shadow: Measured, untimed: Measured, bareM: Measured): string {
  const times = (x: Measured) => `${(figure(bareM, 'cpu') / figure(x, 'cpu')).toFixed(1)}x`;
  return (
    `per cycle, against the bare loop: the model alone ${times(model)} (zs_obj_read_begin takes and drops the pool read lock, ` +
    `whose word every reader shares, and loads the handle twice), with the shadow checks ${times(shadow)}, the role loop ` +
    `never timed ${times(untimed)}: the budget needs the model's read path to cost what the lock does; docs/BENCHMARKS.md has the plan`
  );
}

export async function readerCycles(rounds: Rounds): Promise<Row[]> {
  const tiny = tinyObjects();
  const sized = buildWorld(LOCK, { arena: '32MiB', stable: 3000, minSize: 32, maxSize: 3072 });
  const rows: Row[] = [];
  for (const n of [1, READERS]) rows.push(...(await ladder(tiny, sized, n, rounds)));
  return rows;
}

/** The reader cycle's rungs, each measured on `n` threads, interleaved. */
interface Ladder {
  bare: Measured;
  model: Measured;
  shadow: Measured;
  untimed: Measured;
  every: Measured;
  shipped: Measured;
  sized: Measured;
  unrecorded: Measured;
}

// Bare loop, model, model + shadow, the harness reader untimed, timed every read,
// as shipped, and as shipped at realistic object sizes: one interleaved measurement.
async function ladder(tiny: World, sized: World, n: number, rounds: Rounds): Promise<Row[]> {
  const map = (hooks: 'none' | 'shadow'): CrewSpec => ({ kind: 'map', lock: LOCK, scenario: tiny.scenario, stable: tiny.setup.stable, seed: SEED, hooks });
  const specs: [keyof Ladder, World, CrewSpec][] = [
    ['bare', tiny, bare(tiny)],
    ['model', tiny, map('none')],
    ['shadow', tiny, map('shadow')],
    ['untimed', tiny, harness(tiny, NEVER)],
    ['every', tiny, harness(tiny, 1)],
    ['shipped', tiny, shipped(tiny)],
    ['sized', sized, shipped(sized)],
    ['unrecorded', tiny, { ...harness(tiny, tiny.scenario.readers.timingSample), flightRecorder: false }],
  ];
  const crews = await Promise.all(specs.map(([, w, spec]) => Crew.start(w.arena, spec, n)));
  const m = await interleave(
    crews.map((crew, i) => ({ name: specs[i]![0], crew, loop: 'cycle' as const })),
    rounds,
  );
  await Promise.all(crews.map((c) => c.close()));
  const rungs = Object.fromEntries(specs.map(([name], i) => [name, m[i]!])) as unknown as Ladder;
  return ladderRows(rungs, tiny.scenario.readers.timingSample, n);
}

/** One rung against the bare loop: its rate and the ratio. */
function vsBare(l: Ladder, threads: string, name: string, x: Measured, limit?: number): Row {
  const perOp = (y: Measured) => ns(1e9 / figure(y, 'cpu'));
  const r = ratio(x, l.bare, 'cpu');
  return {
    section: 'reader cycle',
    name: `${name} (${threads})`,
    measured: `${rate(figure(x, 'cpu'))} per thread (${perOp(x)})`,
    against: `bare loop ${rate(figure(l.bare, 'cpu'))} (${perOp(l.bare)})`,
    ratio: r,
    ...(limit !== undefined ? budget(`>= ${limit.toFixed(2)}x`, r >= limit, () => cycleNote(l.model, l.shadow, l.untimed, l.bare)) : {}),
    raw: { opsPerCpuSecPerThread: figure(x, 'cpu'), bareOpsPerCpuSecPerThread: figure(l.bare, 'cpu'), ratio: r },
  };
}

/** What one layer adds to a cycle, as a share of the cycle without it. */
function part(threads: string, sample: number, name: string, withIt: Measured, without: Measured, limit?: number): Row {
  const perOp = (y: Measured) => ns(1e9 / figure(y, 'cpu'));
  const s = share(withIt, without, 'cpu');
  const spent = 1e9 / figure(withIt, 'cpu') - 1e9 / figure(without, 'cpu');
  return {
    section: 'reader cycle',
    name: `${name} (${threads})`,
    measured: `${ns(spent)} of ${perOp(withIt)} per cycle`,
    against: `without: ${perOp(without)}`,
    ratio: s,
    ...(limit !== undefined
      ? budget(`<= ${limit.toFixed(2)}x`, s <= limit, () => `raise readers.timingSample above ${sample}: each timed read costs ${ns(spent * sample)}`)
      : {}),
    raw: { nsWith: 1e9 / figure(withIt, 'cpu'), nsWithout: 1e9 / figure(without, 'cpu'), share: s },
  };
}

/** What the harness adds to the model's read path (pool lock, handle, zspage lock), per cycle. */
function overhead(l: Ladder, threads: string, sample: number): Row {
  const withNs = 1e9 / figure(l.shipped, 'cpu');
  const floorNs = 1e9 / figure(l.model, 'cpu');
  const r = (withNs - floorNs) / floorNs;
  return {
    section: 'reader cycle',
    name: `harness overhead on the model-only cycle, shipped reader (${threads})`,
    measured: `${ns(withNs - floorNs)} added per cycle`,
    against: `model only ${ns(floorNs)}`,
    ratio: r,
    ...budget(`<= ${OVERHEAD_BUDGET.toFixed(2)}x`, r <= OVERHEAD_BUDGET, () => {
      const layer = (a: Measured, b: Measured) => ns(1e9 / figure(a, 'cpu') - 1e9 / figure(b, 'cpu'));
      return `shadow checks ${layer(l.shadow, l.model)}, role loop and verification ${layer(l.untimed, l.shadow)}, timing 1 read in ${sample} ${layer(l.shipped, l.untimed)}`;
    }),
    raw: { nsWith: withNs, nsModel: floorNs, ratio: r },
  };
}

function ladderRows(l: Ladder, sample: number, n: number): Row[] {
  const threads = `${n} thread${n > 1 ? 's' : ''}`;
  // The cycle and instrumentation budgets are the default scenario's readers'; the harness's
  // overhead on the model is budgeted at every thread count.
  const budgeted = n === READERS;
  // The flight recorder's ring writes (lock words before and after each lock operation), on the shipped reader.
  const flight = part(threads, sample, 'flight recorder, shipped: share of a cycle', l.shipped, l.unrecorded);
  const flightRow = budgeted
    ? {
        ...flight,
        ...budget(`<= ${INSTRUMENT_BUDGET.toFixed(2)}x`, flight.ratio <= INSTRUMENT_BUDGET, () =>
          'fewer words per entry (the lock words before and after are most of it), or record writers only',
        ),
      }
    : flight;
  return [
    overhead(l, threads, sample),
    vsBare(l, threads, 'model only: zs_obj_read_begin/end, no hooks', l.model),
    vsBare(l, threads, 'model + shadow checks', l.shadow),
    vsBare(l, threads, 'harness reader, never timed', l.untimed),
    vsBare(l, threads, 'harness reader, every read timed', l.every),
    vsBare(l, threads, `harness reader, shipped (1 read in ${sample} timed)`, l.shipped, budgeted ? CYCLE_BUDGET : undefined),
    part(threads, sample, 'shadow checks, share of the model + shadow cycle', l.shadow, l.model),
    part(threads, sample, 'instrumentation, every read timed: share of a cycle', l.every, l.untimed),
    part(threads, sample, `instrumentation, shipped (1 in ${sample}): share of a cycle`, l.shipped, l.untimed, budgeted ? INSTRUMENT_BUDGET : undefined),
    part(threads, sample, 'verification at 32..3072-byte objects: share of a cycle', l.sized, l.shipped),
    flightRow,
  ];
}

/** The bare loop and the shipped reader, `n` threads each, interleaved; r = harness / bare (CPU time). */
export async function bareAgainstShipped(world: World, n: number, rounds: Rounds): Promise<{ b: Measured; h: Measured; r: number }> {
  const crews = [await Crew.start(world.arena, bare(world), n), await Crew.start(world.arena, shipped(world), n)];
  const [b, h] = (await interleave(
    crews.map((crew, i) => ({ name: i ? 'harness' : 'bare', crew, loop: 'cycle' as const })),
    rounds,
  )) as [Measured, Measured];
  await Promise.all(crews.map((c) => c.close()));
  return { b, h, r: ratio(h, b, 'cpu') };
}

/** Reader cycles with 1, 2, 4 and 8 threads on this machine's cores: harness against bare loop. */
export async function readerGrowth(rounds: Rounds): Promise<Row[]> {
  const tiny = tinyObjects();
  const rows: Row[] = [];
  for (const n of [1, 2, 4, 8]) {
    const { b, h, r } = await bareAgainstShipped(tiny, n, rounds);
    rows.push({
      section: 'growth',
      name: `reader cycles, ${n} thread${n > 1 ? 's' : ''}`,
      measured: `${rate(figure(h, 'wall'))} total, ${rate(figure(h, 'cpu'))} per thread-CPU`,
      against: `bare ${rate(figure(b, 'wall'))} total, ${rate(figure(b, 'cpu'))}`,
      ratio: r,
      raw: {
        threads: n,
        harnessOpsPerSec: figure(h, 'wall'),
        harnessOpsPerCpuSecPerThread: figure(h, 'cpu'),
        bareOpsPerSec: figure(b, 'wall'),
        bareOpsPerCpuSecPerThread: figure(b, 'cpu'),
        ratio: r,
      },
    });
  }
  return rows;
}
