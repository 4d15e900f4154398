// Lockdep's cost: the shipped harness reader with lockdep on (the default) against the
// same reader with it off, same threads, interleaved. A read takes and drops the pool
// read lock and the zspage read lock: four lockdep events per cycle.
import { Crew } from '../lib/crew.js';
import { figure, interleave, share, type Measured, type Rounds } from '../lib/measure.js';
import { budget, ns, type Row } from '../lib/report.js';
import { READERS, shipped, tinyObjects } from './reader-cycles.js';

/** Lockdep may take this share of a reader cycle at most. */
const LOCKDEP_BUDGET = 0.15;

export async function lockdepCost(rounds: Rounds): Promise<Row[]> {
  const tiny = tinyObjects();
  const on = shipped(tiny);
  if (on.kind !== 'harness-reader' || !on.scenario.lockdep) throw new Error('bench: the shipped reader runs with lockdep on');
  const off = { ...on, scenario: { ...on.scenario, lockdep: false } };
  const crews = [await Crew.start(tiny.arena, on, READERS), await Crew.start(tiny.arena, off, READERS)];
  const [withIt, without] = (await interleave(
    crews.map((crew, i) => ({ name: i ? 'lockdep off' : 'lockdep on', crew, loop: 'cycle' as const })),
    rounds,
  )) as [Measured, Measured];
  await Promise.all(crews.map((c) => c.close()));
  const s = share(withIt, without, 'cpu');
  const perOp = (x: Measured) => 1e9 / figure(x, 'cpu');
  return [
    {
      section: 'lockdep',
      name: `lockdep, share of a harness reader cycle (${READERS} threads)`,
      measured: `${ns(perOp(withIt) - perOp(without))} of ${ns(perOp(withIt))} per cycle`,
      against: `lockdep off: ${ns(perOp(without))}`,
      ratio: s,
      ...budget(`<= ${LOCKDEP_BUDGET.toFixed(2)}x`, s <= LOCKDEP_BUDGET, () => 'lockdep costs more than its budget: profile Lockdep.acquireClass'),
      raw: { nsWith: perOp(withIt), nsWithout: perOp(without), share: s },
    },
  ];
}
