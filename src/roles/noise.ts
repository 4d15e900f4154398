// Race noise: before a share of the lock's own atomic operations, the worker spins a short,
// drawn while. A race window of a few nanoseconds (a load and the store that acts on it)
// becomes microseconds long, and a thread the OS preempts inside it holds it open for a whole
// time slice, so a broken protocol meets its bad interleaving far sooner on real threads
// (noise injection, as ConTest and rr's chaos mode do). Correct locks are correct under any
// timing: the noise cannot make them fail. Timed reads run without it, so the metrics stay the
// lock's own. The gaps and delays come from a stream of their own, drawn from the run seed.
import type { Scenario } from '../scenario/schema.js';
import { Rng } from '../rng.js';
import { isZero, sampleNs } from './dist.js';

export interface Noise {
  /** Off while a read is timed. */
  on: boolean;
  /** Called before each of the lock's atomic operations (ProbeAtomics). */
  readonly beforeOp: () => void;
}

export function createNoise(s: Scenario, seed: number, workerIndex: number): Noise | null {
  const { fraction, delay } = s.lockNoise;
  if (fraction === 0 || isZero(delay)) return null;
  const rng = new Rng(seed, -1001 - workerIndex);
  // Gaps with mean 1/fraction, so that a draw is not needed on every operation.
  const gap = () => 1 + rng.below(Math.max(1, Math.round(2 / fraction - 1)));
  let until = gap();
  const noise: Noise = {
    on: true,
    beforeOp: () => {
      if (--until > 0 || !noise.on) return;
      until = gap();
      const end = performance.now() + sampleNs(delay, rng) / 1e6;
      while (performance.now() < end) {
        /* a window held open */
      }
    },
  };
  return noise;
}
