// Each built-in lock's read pair (readLock + readUnlock) and write pair
// (writeTrylock + writeUnlock, counted as the harness counts a writer's trylock)
// against the raw floor on the same word: one thread uncontended, then two threads
// on different zspages and on the same zspage.
import { entriesOf } from '../../src/locks/catalog.js';
import { Crew } from '../lib/crew.js';
import { figure, interleave, ratio, type Measured, type Rounds } from '../lib/measure.js';
import { progress } from '../lib/progress.js';
import { budget, rate, type Row } from '../lib/report.js';
import type { AtomicsKind } from '../lib/spec.js';
import { buildWorld, type World } from '../lib/world.js';

type Pair = 'read' | 'write';
/** The harness hands readers and writers their own atomics (src/pools/model-context.ts). */
const HARNESS: Record<Pair, AtomicsKind> = { read: 'reader', write: 'writer' };
const READ_PAIR_BUDGET = 0.8;

/** Zspage of each thread: two apart (8 descriptors, different cache lines), or two together. */
const CONTENDED = [
  { name: '2 threads, different zspages', zspages: [0, 8] },
  { name: '2 threads, same zspage', zspages: [0, 0] },
];

export async function lockPairs(rounds: Rounds): Promise<Row[]> {
  const rows: Row[] = [];
  // The lock designs (the busted ones are bugs on purpose, some of which never return).
  for (const [lock] of entriesOf('kernel')) {
    const world = buildWorld(lock, { arena: '1MiB', stable: 64, minSize: 4, maxSize: 4 });
    progress(`lock pairs: ${lock}, 1 thread`);
    rows.push(...(await uncontended(world, rounds)));
    for (const { name, zspages } of CONTENDED) {
      progress(`lock pairs: ${lock}, ${name}`);
      rows.push(...(await contended(world, name, zspages, rounds)));
    }
  }
  return rows;
}

async function uncontended(world: World, rounds: Rounds): Promise<Row[]> {
  const { lock } = world;
  const zspages = [0];
  const floor = await Crew.start(world.arena, { kind: 'floor', zspages }, 1);
  const raw = await Crew.start(world.arena, { kind: 'lock', lock, atomics: 'raw', zspages }, 1);
  const rows: Row[] = [];
  for (const pair of ['read', 'write'] as const) {
    const harness = await Crew.start(world.arena, { kind: 'lock', lock, atomics: HARNESS[pair], zspages }, 1);
    const unrouted = pair === 'read' ? await Crew.start(world.arena, { kind: 'lock', lock, atomics: 'reader-unrouted', zspages }, 1) : null;
    const global = pair === 'read' ? await Crew.start(world.arena, { kind: 'lock', lock, atomics: 'reader-global', zspages }, 1) : null;
    const [f, r, h, u, g] = (await interleave(
      [
        { name: 'floor', crew: floor, loop: pair },
        { name: 'raw', crew: raw, loop: pair },
        { name: 'harness', crew: harness, loop: pair },
        ...(unrouted ? [{ name: 'unrouted', crew: unrouted, loop: pair }] : []),
        ...(global ? [{ name: 'global', crew: global, loop: pair }] : []),
      ],
      rounds,
    )) as [Measured, Measured, Measured, Measured | undefined, Measured | undefined];
    await Promise.all([harness.close(), unrouted?.close(), global?.close()]);
    const label = `${lock} ${pair} pair, 1 thread`;
    const main = row(label, h, f, 'floor');
    if (pair === 'read') {
      const why = () =>
        `the design alone (raw Atomics) is ${ratio(r, f, 'cpu').toFixed(2)}x of the floor and the harness's atomics ` +
        `${ratio(h, r, 'cpu').toFixed(2)}x of raw Atomics: the lock's own operations beyond one CAS and one sub cost the difference, ` +
        'which only a different design closes';
      Object.assign(main, budget(`>= ${READ_PAIR_BUDGET.toFixed(2)}x`, main.ratio >= READ_PAIR_BUDGET, why));
    }
    rows.push(main, row(`${label}: harness atomics`, h, r, 'raw Atomics'));
    // The global Atomics routed to the harness's around each call (src/invariants/global-atomics).
    if (u) rows.push(row(`${label}: global Atomics routed`, h, u, 'not routed'));
    // The same lock reaching the harness's atomics through the global Atomics router (src/locks/atomics-router).
    if (g) rows.push(row(`${label}: lock calls the global Atomics router`, g, h, 'the atomics it is given'));
  }
  await Promise.all([floor.close(), raw.close()]);
  return rows;
}

async function contended(world: World, placement: string, zspages: number[], rounds: Rounds): Promise<Row[]> {
  const { lock } = world;
  const floor = await Crew.start(world.arena, { kind: 'floor', zspages }, zspages.length);
  const rows: Row[] = [];
  for (const pair of ['read', 'write'] as const) {
    const harness = await Crew.start(world.arena, { kind: 'lock', lock, atomics: HARNESS[pair], zspages }, zspages.length);
    const [f, h] = (await interleave(
      [
        { name: 'floor', crew: floor, loop: pair },
        { name: 'harness', crew: harness, loop: pair },
      ],
      rounds,
    )) as [Measured, Measured];
    await harness.close();
    rows.push(row(`${lock} ${pair} pair, ${placement}`, h, f, 'floor'));
  }
  await floor.close();
  return rows;
}

/** Per-thread operations per CPU second, against `base` measured in the same rounds. */
function row(name: string, m: Measured, base: Measured, baseName: string): Row {
  const x = ratio(m, base, 'cpu');
  const [mine, theirs] = [figure(m, 'cpu'), figure(base, 'cpu')];
  return {
    section: 'lock pair',
    name,
    measured: `${rate(mine)} per thread`,
    against: `${baseName} ${rate(theirs)}`,
    ratio: x,
    raw: { opsPerCpuSecPerThread: mine, baseOpsPerCpuSecPerThread: theirs, ratio: x },
  };
}
