// The coordinator's watch over a stress run on the kernel's pool, as run.ts keeps it over a
// model run: every tick the run's clock in the header (the flight recorder's time); at each
// stat interval an epoch bump, on which every CPU sends its interval histograms (run.hlog);
// at each audit interval a stutter: every CPU parks between two steps, holding nothing, the
// pool is audited on CPU 0 (src/zsmalloc/audit.ts), and they go on.
import { HDR } from '../arena/layout.js';
import type { ViolationKind } from '../grading/vocabulary.js';
import type { Summary } from '../records/summary.js';
import { auditKernelPool } from '../zsmalloc/audit.js';
import { KernelBug, type KernelPool } from '../zsmalloc/runtime.js';
import { Collector } from './collector.js';
import { WatchClock } from './watch-clock.js';

const TICK_MS = 25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface KernelWatchOptions {
  /** Interval histograms every this many ms (0: one interval, the whole run). */
  statIntervalMs: number;
  /** A stutter audit every this many ms (0: only the final audit). */
  auditEveryMs: number;
  /** How long the CPUs get to park for a stutter before it is a stall. */
  parkMs: number;
  /** At each epoch bump, with the intervals received so far (run.hlog.part grows by them). */
  onEpoch?: (collector: Collector) => void;
}

export class KernelWatch {
  readonly collector = new Collector();
  readonly audits: Summary['audits'] = { count: 0, objects: 0, bytes: 0, lastMs: 0 };
  private readonly t0 = performance.now();
  private readonly parking = new WatchClock();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private nextStat: number;
  private nextAudit: number;
  /** A BUG in an audit (or a stutter that did not complete) ends the audits. */
  private auditing = true;

  constructor(
    private readonly pool: KernelPool,
    private readonly opts: KernelWatchOptions,
    /** Whether every CPU runs its role (all started, none ended early): a stutter waits for them all. */
    private readonly allRunning: () => boolean,
    private readonly cpus: number,
    private readonly report: (kind: ViolationKind, message: string, by: string) => void,
  ) {
    this.nextStat = opts.statIntervalMs > 0 ? opts.statIntervalMs : Infinity;
    this.nextAudit = opts.auditEveryMs > 0 ? opts.auditEveryMs : Infinity;
  }

  elapsed(): number {
    return performance.now() - this.t0;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private stopped = () => Atomics.load(this.pool.mem, HDR.STOP) !== 0;

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const mem = this.pool.mem;
      const t = this.elapsed();
      Atomics.store(mem, HDR.CLOCK_MS, Math.round(t));
      if (t >= this.nextStat) {
        this.nextStat += this.opts.statIntervalMs;
        this.collector.epochStartMs.push(Math.round(t));
        Atomics.add(mem, HDR.EPOCH, 1);
        this.opts.onEpoch?.(this.collector);
      }
      if (t >= this.nextAudit && this.auditing && this.allRunning() && !this.stopped()) {
        await this.stutter();
        this.nextAudit = this.elapsed() + this.opts.auditEveryMs;
      }
    } finally {
      this.busy = false;
    }
  }

  /** Stutter: park every CPU, audit, let them go (run.ts's stutter). */
  private async stutter(): Promise<void> {
    const { mem } = this.pool;
    const at = () => this.parking.at(this.elapsed());
    Atomics.store(mem, HDR.PAUSE, 1);
    const deadline = at() + this.opts.parkMs;
    while (Atomics.load(mem, HDR.PARKED) < this.cpus && !this.stopped() && this.allRunning() && at() < deadline) await sleep(1);
    const parked = Atomics.load(mem, HDR.PARKED);
    if (parked >= this.cpus && !this.stopped()) this.audit('stutter audit');
    else if (!this.stopped() && this.allRunning()) {
      this.auditing = false;
      this.report('stall', `stutter: ${this.cpus - parked} of ${this.cpus} CPUs did not park between two steps within ${this.opts.parkMs} ms`, 'coordinator');
    }
    Atomics.store(mem, HDR.PAUSE, 0);
    Atomics.notify(mem, HDR.PAUSE);
    // until every CPU has left, PARKED still counts it: the next stutter must not count it twice
    const leave = at() + this.opts.parkMs;
    while (Atomics.load(mem, HDR.PARKED) > 0 && !this.stopped() && at() < leave) await sleep(1);
  }

  /** The quiescent audit on CPU 0; its problems are violations by `by`. Zspages walked, or -1. */
  audit(by: string): number {
    try {
      const r = auditKernelPool(this.pool);
      for (const p of r.problems) this.report(p.kind, p.message, by);
      this.audits.count++;
      this.audits.objects += r.objects;
      this.audits.bytes += r.bytes;
      this.audits.lastMs = Math.round(this.elapsed());
      return r.zspages;
    } catch (err) {
      // a BUG or KASAN report in the audit: reported as it fired; the pool is no longer sound
      if (!(err instanceof KernelBug)) throw err;
      this.auditing = false;
      return -1;
    }
  }
}
