// The explorer's strategies: how each iteration picks the next thread, and (weak memory) what
// each load with a choice reads.
import type { Rng } from '../rng.js';
import type { Chooser } from './sim.js';
import type { ReadChooser } from './wmm/weak-run.js';

/** Random: a uniform thread of those that may run. */
export function randomChooser(rng: Rng): Chooser {
  return (pool) => pool[rng.below(pool.length)];
}

/** Weak memory, random: a load with a choice reads the newest message 3 times in 4, else a uniform older one. */
export function randomReadChooser(rng: Rng): ReadChooser {
  return (n) => (rng.below(4) === 0 ? 1 + rng.below(n - 1) : 0);
}

/**
 * Weak memory, PCT: `s` stale points uniform among the first K loads with a choice (K: the most
 * such loads seen in a run so far); a stale point reads a uniform older message, every other
 * load the newest (in the spirit of PCTWM, Gao et al., ASPLOS'23).
 */
export function pctReadChooser(rng: Rng, s: number, reads: { count: number; estimate: number }): ReadChooser {
  const points = new Set<number>();
  for (let i = 0; i < s; i++) points.add(rng.below(reads.estimate));
  return (n) => (points.has(reads.count++) ? 1 + rng.below(n - 1) : 0);
}

/**
 * PCT (Burckhardt et al., ASPLOS 2010): distinct random initial priorities d..d+n-1, d-1 change
 * points uniform in [0, k); run the highest-priority runnable thread; at change point i the thread
 * about to run drops to priority i (below every initial one). Finds a depth-d bug with
 * probability >= 1/(n k^(d-1)) per run. Spinning threads are not runnable (see spin.ts).
 */
export function pctChooser(rng: Rng, n: number, d: number, k: number): Chooser {
  const prio = Array.from({ length: n }, (_, i) => d + i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [prio[i], prio[j]] = [prio[j]!, prio[i]!];
  }
  const changes = new Map<number, number>();
  for (let i = 1; i < d; i++) changes.set(rng.below(k), i);
  const best = (pool: readonly number[]) => pool.reduce((a, b) => (prio[b]! > prio[a]! ? b : a));
  return (pool, step) => {
    const c = changes.get(step);
    if (c === undefined) return best(pool);
    prio[best(pool)] = c;
    return best(pool);
  };
}
