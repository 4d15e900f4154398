// A/B measurement: contenders run one after another in rounds, the order rotating
// each round, so that drift in the machine's load lands on every contender alike.
import type { LoopName } from './control.js';
import { COPIES, type Crew } from './crew.js';

export interface Contender {
  name: string;
  crew: Crew;
  loop: LoopName;
}

/** Per round: the crew's operations per wall second, and per CPU second of one worker (mean). */
export interface Measured {
  name: string;
  wall: number[];
  cpu: number[];
}

export type Basis = 'wall' | 'cpu';

export interface Rounds {
  rounds: number;
  ms: number;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function interleave(contenders: Contender[], { rounds, ms }: Rounds): Promise<Measured[]> {
  // One short untimed round per copy first: every loop gets optimized before it counts.
  for (let k = 0; k < COPIES; k++) for (const c of contenders) await c.crew.run(c.loop, Math.min(ms, 50));
  const out: Measured[] = contenders.map((c) => ({ name: c.name, wall: [], cpu: [] }));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + r) % contenders.length;
      const c = contenders[i]!;
      const phase = await c.crew.run(c.loop, ms);
      out[i]!.wall.push(phase.opsPerSec);
      if (phase.perWorkerCpu.length > 0) out[i]!.cpu.push(mean(phase.perWorkerCpu));
    }
  }
  return out;
}

/** The median over the rounds. */
export const figure = (m: Measured, basis: Basis) => median(m[basis]);

/**
 * a / b as the ratio of their medians. Both sampled the same span of time in
 * alternation, so drift in the load reaches both; pairing each round's figures
 * instead would add up the two phases' own noise, which here is the larger.
 */
export const ratio = (a: Measured, b: Measured, basis: Basis) => figure(a, basis) / figure(b, basis);

/** The share of `with`'s time per operation that `without` does not spend. */
export const share = (withIt: Measured, without: Measured, basis: Basis) => 1 - ratio(withIt, without, basis);
