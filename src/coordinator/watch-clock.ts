// The clock stall deadlines run on: real time, except that each gap between two
// readings counts at most MAX_STEP_MS. A process suspended or starved of the CPU
// cannot tell a hung worker from one that did not get to run, so its deadlines
// stretch with the starvation instead of firing; on a running machine they are real time.

/** Longer than any gap between readings (25 ms ticks, 1 ms polls) on a machine that runs us. */
export const MAX_STEP_MS = 100;

export class WatchClock {
  private lastMs: number | null = null;
  private watchedMs = 0;

  /** The watched time at real time `realMs` (readings in increasing order). */
  at(realMs: number): number {
    if (this.lastMs !== null) this.watchedMs += Math.min(Math.max(realMs - this.lastMs, 0), MAX_STEP_MS);
    this.lastMs = realMs;
    return this.watchedMs;
  }
}
