// Re-execution for designs with plain accesses (sim.ts). Plain accesses (a design with
// plainAccess, such as a C lock's `zsl->cnt++`) are not memoized, and re-running them on
// today's memory would repeat their stores. So for such a design the explorer keeps, per
// thread, a snapshot of the lock words as they were when each call began and when each atomic
// op returned; re-execution runs on those snapshots, and only the new op (and the code after
// it) runs on the real words. Plain code between two interleaving points runs as one step with
// the op before it; a plain change counts as a change of its word.
import { BASE, type SimThread } from './sim-thread.js';

export class PlainSnapshots {
  /** The step's new work runs on the real words (they are in `mem`, not in `real`). */
  live = true;
  /** The real words while re-execution runs on snapshots. */
  private readonly real: Int32Array;

  constructor(private readonly mem: Int32Array) {
    this.real = new Int32Array(mem.length);
  }

  /** A step starts: re-execution runs on snapshots until goLive(). */
  begin(): void {
    this.real.set(this.mem);
    this.live = false;
  }

  /** The real words from here on (the step's new work starts). */
  goLive(): void {
    if (this.live) return;
    this.mem.set(this.real);
    this.live = true;
  }

  /** Call `i` of `t` runs again: the words as it began. */
  callAgain(t: SimThread, i: number): void {
    this.mem.set(t.pre[i]!);
  }

  /** Call `i` of `t` starts in this step, on the real words. */
  callStarts(t: SimThread, i: number): void {
    this.goLive();
    t.pre[i] = this.mem.slice();
    t.inputs.length = 0;
    t.written = 0;
  }

  /** Memo op `j` of `t` answered again: the words as it returned. */
  opAgain(t: SimThread, j: number): void {
    const snap = t.post[j];
    if (snap) this.mem.set(snap);
    else {
      // a wait returning for the first time: the thread resumes on the real words
      this.goLive();
      t.post[j] = this.mem.slice();
      t.written = 0;
    }
  }

  /** Memo op `j` of `t` was performed now: the stretch of code after it starts. */
  opDone(t: SimThread, j: number): void {
    t.post[j] = this.mem.slice();
    t.written = 0;
  }

  /**
   * A plain access of word `rel` by `t`'s new work (a design that reports them): a read of a
   * word the stretch has not written is one of its inputs (SimThread.inputs, state-key.ts).
   */
  access(t: SimThread, rel: number, write: boolean): void {
    if (write) t.written |= 1 << rel;
    else if (!((t.written >> rel) & 1)) t.inputs[t.callOps] = (t.inputs[t.callOps] ?? 0) | (1 << rel);
  }

  /** The step ends: back to the real words. */
  end(): void {
    if (!this.live) this.mem.set(this.real);
    this.live = true;
  }

  /** After end(): the step changed word `i` (outside the atomics too). */
  changed(i: number): boolean {
    return this.mem[BASE + i] !== this.real[BASE + i];
  }
}
