// Stall: a worker whose progress counter has not moved for the stall timeout.
// The report says what every worker is doing and what its zspage's lock looks like.
// A worker still starting (a slow thread start on a loaded machine) is not stalled,
// and the timeout runs on a WatchClock: time the process did not run counts against nobody.
import { readersIn, SHADOW, writersIn, WRK } from '../arena/layout.js';
import { STATE, STATE_NAMES } from '../invariants/held-state.js';
import { threadCpuNs } from '../invariants/thread-cpu.js';
import { zspLockAt, zspShadowAt, type Zs } from '../model/zs.js';
import { WatchClock } from './watch-clock.js';

/** Held state of a worker line until its worker sets its own (the arena starts at 0, "idle"). */
const NOT_STARTED = -1;

export class StallWatchdog {
  private readonly progress: number[];
  private readonly since: number[];
  private readonly clock = new WatchClock();
  /** The worker the last stall report was about. */
  stalledWorker = -1;

  constructor(
    private readonly zs: Zs,
    private readonly labels: string[],
    private readonly timeoutMs: number,
  ) {
    this.progress = labels.map(() => -1);
    this.since = labels.map(() => 0);
    labels.forEach((_, w) => Atomics.store(zs.mem, this.line(w) + WRK.STATE, NOT_STARTED));
  }

  private line(w: number): number {
    return this.zs.L.workers + w * this.zs.L.workerWords;
  }

  /** A stall report for the first worker stuck past the timeout, or null. */
  check(realMs: number): string | null {
    const { mem } = this.zs;
    const nowMs = this.clock.at(realMs);
    for (let w = 0; w < this.labels.length; w++) {
      const p = Atomics.load(mem, this.line(w) + WRK.PROGRESS);
      const state = Atomics.load(mem, this.line(w) + WRK.STATE);
      if (p !== this.progress[w] || state === STATE.PARKED || state === STATE.DONE || state === NOT_STARTED) {
        this.progress[w] = p;
        this.since[w] = nowMs;
        continue;
      }
      if (nowMs - this.since[w]! >= this.timeoutMs) {
        const secs = ((nowMs - this.since[w]!) / 1000).toFixed(1);
        this.stalledWorker = w;
        return `${this.labels[w]} made no progress for ${secs} s; ${this.heldState()}`;
      }
    }
    return null;
  }

  /** Workers whose thread has not yet started playing its role. */
  notStarted(): string[] {
    return this.labels.filter((_, w) => Atomics.load(this.zs.mem, this.line(w) + WRK.STATE) === NOT_STARTED);
  }

  /** Workers that are not parked: for a stutter that does not complete. */
  unparked(): string[] {
    return this.labels.filter((_, w) => Atomics.load(this.zs.mem, this.line(w) + WRK.STATE) !== STATE.PARKED);
  }

  /** The zspage of the first worker that did not park and names one (-1: none), for the flight recorder's view. */
  unparkedZspage(): number {
    for (let w = 0; w < this.labels.length; w++) {
      if (Atomics.load(this.zs.mem, this.line(w) + WRK.STATE) === STATE.PARKED) continue;
      const z = this.zspageOf(w);
      if (z >= 0) return z;
    }
    return -1;
  }

  /** Who holds what, one clause per worker. */
  heldState(): string {
    return this.labels.map((label, w) => `${label} ${this.doing(w)}`).join('; ');
  }

  /** Whether worker `w` is inside a call of the lock under test, by its arena line. */
  inLockCode(w: number): boolean {
    const state = Atomics.load(this.zs.mem, this.line(w) + WRK.STATE);
    // A reader acquiring without a zspage yet is on the pool lock, the harness's own.
    if (state === STATE.READ_LOCKING) return this.zspageOf(w) >= 0;
    return state === STATE.WRITE_TRYLOCKING || state === STATE.READ_UNLOCKING || state === STATE.WRITE_UNLOCKING;
  }

  /** Every worker's CPU time so far in ns (NaN where unknown), by the thread id it published. */
  cpuNs(): number[] {
    return this.labels.map((_, w) => threadCpuNs(Atomics.load(this.zs.mem, this.line(w) + WRK.TID)));
  }

  /** The zspage worker `w` last named in its arena line (-1: none). */
  zspageOf(w: number): number {
    return Atomics.load(this.zs.mem, this.line(w) + WRK.ZSPAGE);
  }

  /** What worker `w` is doing, from its arena line (which outlives the worker). */
  doing(w: number): string {
    const { mem } = this.zs;
    const state = Atomics.load(mem, this.line(w) + WRK.STATE);
    const z = Atomics.load(mem, this.line(w) + WRK.ZSPAGE);
    if (state === NOT_STARTED) return 'not started';
    return `${STATE_NAMES[state] ?? state}${z >= 0 ? ` on zspage ${z} ${this.describeZspage(z)}` : ''}`;
  }

  private describeZspage(z: number): string {
    const { mem } = this.zs;
    const at = zspLockAt(this.zs, z);
    const words = Array.from(mem.subarray(at, at + this.zs.L.params.lockWords)).join(', ');
    const s = zspShadowAt(this.zs, z);
    const holders = mem[s + SHADOW.HOLDERS]!;
    return `(lock words [${words}], ${readersIn(holders)} reader(s) and ${writersIn(holders)} writer(s) inside)`;
  }
}
