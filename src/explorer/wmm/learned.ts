// What exhaustive exploration (exhaustive.ts) learns of a client under --memory weak, and keys
// its states by (WeakMemory.canonical): which lock words a plain access reaches (only those
// keep their race-check records in the key) and which each thread loads or cmpxchgs (a word no
// live thread will is keyed by its newest message alone). It starts knowing none. A run that
// does what it did not know makes the exploration start again, knowing it. The key is then
// sound for every state the exploration reaches: until one of its threads does something
// unknown, two states the key merges do the same; so the first unknown access on any path is
// also on a path the exploration takes, and that run makes it start again.
import type { WeakRun } from './weak-run.js';

export class Learned {
  private plainKeyed = 0;
  private readonly mayLoad: number[];

  /** `all`: know everything from the start (every record and message keyed: the tests compare with it). */
  constructor(
    threads: number,
    private readonly words: number,
    private readonly all: boolean,
  ) {
    this.mayLoad = new Array<number>(threads).fill(0);
  }

  /** Has a new run's key use what is known. */
  apply(weak: WeakRun): void {
    if (this.all) return;
    weak.plainKeyed = this.plainKeyed;
    weak.mayLoad = this.mayLoad;
  }

  /** Takes in what a run that ended did; whether it learned anything (the exploration must start again). */
  learn(weak: WeakRun): boolean {
    if (this.all) return false;
    const lockWords = (1 << this.words) - 1;
    const m = weak.memory;
    let learned = (m.plainLocs & lockWords & ~this.plainKeyed) !== 0;
    this.plainKeyed |= m.plainLocs & lockWords;
    for (let u = 0; u < this.mayLoad.length; u++) {
      const loads = m.loaded[u]! & lockWords;
      if ((loads & ~this.mayLoad[u]!) !== 0) learned = true;
      this.mayLoad[u]! |= loads;
    }
    return learned;
  }
}
