import type { Distribution } from '../scenario/schema.js';
import type { Rng } from '../rng.js';

/** Draws nanoseconds from a scenario distribution. */
export function sampleNs(d: Distribution, rng: Rng): number {
  switch (d.kind) {
    case 'fixed':
      return d.a;
    case 'uniform':
      return d.a + Math.floor(rng.float() * (d.b - d.a + 1));
    case 'exp':
      return Math.round(-Math.log(1 - rng.float()) * d.a);
  }
}

export const isZero = (d: Distribution) => d.kind !== 'exp' && d.b === 0;
