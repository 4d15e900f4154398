// The run in progress, recorded in shared memory as it goes: the iteration, and each step's
// thread and read choice. Lock code runs synchronously, so a call that never returns (a spin
// on plain memory, which no atomic op shows) cannot be seen from its own thread; from another
// one it shows as a count of steps that stopped moving, and the recorded schedule says where.
import { RAW_ATOMICS } from '../invariants/global-atomics.js';
import type { Chooser } from './sim.js';
import { IDLE_BOUND } from './rules.js';
import type { ExploreOptions } from './types.js';
import type { ReadChooser } from './wmm/weak-run.js';

const ITER = 0;
const STEPS = 1;
const BEATS = 2;
const HEAD = 3;

export class ExploreWatch {
  readonly words: Int32Array;
  private readonly cap: number;

  /** Sized for `options`' longest run; `buffer` shares one made elsewhere. */
  constructor(options: Pick<ExploreOptions, 'threads' | 'ops'>, buffer?: SharedArrayBuffer) {
    this.cap = 100 * options.threads * options.ops + IDLE_BOUND + 1; // Run's step bound, and one
    this.words = new Int32Array(buffer ?? new SharedArrayBuffer(4 * (HEAD + 2 * this.cap)));
  }

  get buffer(): SharedArrayBuffer {
    return this.words.buffer as SharedArrayBuffer;
  }

  /** Records iteration `i`'s thread choices; the first `from` are those of the iteration before (a run restored there). */
  threads(i: number, choose: Chooser, from = 0): Chooser {
    const w = this.words;
    RAW_ATOMICS.store(w, ITER, i);
    RAW_ATOMICS.store(w, STEPS, from);
    return (pool, step) => {
      const id = choose(pool, step);
      if (id !== undefined && step < this.cap) {
        w[HEAD + step] = id;
        w[HEAD + this.cap + step] = 0;
        RAW_ATOMICS.store(w, STEPS, step + 1);
      }
      RAW_ATOMICS.add(w, BEATS, 1);
      return id;
    };
  }

  /** Records the read choices (weak memory). Runs inside lock calls: raw atomics only. */
  reads(choose: ReadChooser): ReadChooser {
    const w = this.words;
    return (n, step, skip) => {
      const c = choose(n, step, skip);
      if (step < this.cap) w[HEAD + this.cap + step] = c;
      RAW_ATOMICS.add(w, BEATS, 1);
      return c;
    };
  }

  /** A count that moves while the run makes progress. */
  beats(): number {
    return RAW_ATOMICS.load(this.words, BEATS);
  }

  /** The iteration in progress and its steps so far (the last one is the step running now). */
  progress(): { iteration: number; steps: number[]; choices: number[] } {
    const n = Math.min(RAW_ATOMICS.load(this.words, STEPS), this.cap);
    const steps = Array.from(this.words.subarray(HEAD, HEAD + n));
    const choices = Array.from(this.words.subarray(HEAD + this.cap, HEAD + this.cap + n));
    return { iteration: RAW_ATOMICS.load(this.words, ITER), steps, choices };
  }
}
