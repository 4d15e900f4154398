// Stall: a worker whose progress counter has not moved for the stall timeout.
// The report says what every worker is doing and what its zspage's lock looks like.
import { SHADOW, WRK } from '../arena/layout.js';
import { STATE, STATE_NAMES } from '../invariants/held-state.js';
import { zspLockAt, zspShadowAt, type Zs } from '../model/zs.js';

export class StallWatchdog {
  private readonly progress: number[];
  private readonly since: number[];

  constructor(
    private readonly zs: Zs,
    private readonly labels: string[],
    private readonly timeoutMs: number,
  ) {
    this.progress = labels.map(() => -1);
    this.since = labels.map(() => 0);
  }

  private line(w: number): number {
    return this.zs.L.workers + w * this.zs.L.workerWords;
  }

  /** A stall report for the first worker stuck past the timeout, or null. */
  check(nowMs: number): string | null {
    const { mem } = this.zs;
    for (let w = 0; w < this.labels.length; w++) {
      const p = Atomics.load(mem, this.line(w) + WRK.PROGRESS);
      const state = Atomics.load(mem, this.line(w) + WRK.STATE);
      if (p !== this.progress[w] || state === STATE.PARKED || state === STATE.DONE) {
        this.progress[w] = p;
        this.since[w] = nowMs;
        continue;
      }
      if (nowMs - this.since[w]! >= this.timeoutMs) {
        const secs = ((nowMs - this.since[w]!) / 1000).toFixed(1);
        return `${this.labels[w]} made no progress for ${secs} s; ${this.heldState()}`;
      }
    }
    return null;
  }

  /** Workers that are not parked: for a stutter that does not complete. */
  unparked(): string[] {
    return this.labels.filter((_, w) => Atomics.load(this.zs.mem, this.line(w) + WRK.STATE) !== STATE.PARKED);
  }

  /** Who holds what, one clause per worker. */
  heldState(): string {
    const { mem } = this.zs;
    return this.labels
      .map((label, w) => {
        const state = Atomics.load(mem, this.line(w) + WRK.STATE);
        const z = Atomics.load(mem, this.line(w) + WRK.ZSPAGE);
        return `${label} ${STATE_NAMES[state] ?? state}${z >= 0 ? ` on zspage ${z} ${this.describeZspage(z)}` : ''}`;
      })
      .join('; ');
  }

  private describeZspage(z: number): string {
    const { mem } = this.zs;
    const at = zspLockAt(this.zs, z);
    const words = Array.from(mem.subarray(at, at + this.zs.L.params.lockWords)).join(', ');
    const s = zspShadowAt(this.zs, z);
    return `(lock words [${words}], ${mem[s + SHADOW.READERS_IN]} reader(s) and ${mem[s + SHADOW.WRITER_IN]} writer(s) inside)`;
  }
}
