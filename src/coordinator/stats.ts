// Progress while a run goes: on a terminal a live line, elsewhere (pipes, CI) a plain
// line per stat interval in the manner of locktorture's. Also keeps every worker's
// counters at each interval boundary: the report's trylock timeline.
import type { Zs } from '../model/zs.js';
import type { RoleName } from '../roles/task.js';
import type { CounterSample } from '../records/run-record.js';
import { coverageLine } from '../report/coverage.js';
import { namedCounters, sumInto, workerCounters } from './counters.js';
import { coverageOf } from './coverage.js';

/** A log of whole lines; `live`, when present, rewrites one status line in place. */
export type Log = ((line: string) => void) & { live?: (text: string) => void };

/** Lines to `stream`; a live line only on a terminal and not under CI (a CI log keeps every \r). */
export function streamLog(stream: NodeJS.WriteStream): Log {
  let showing = false;
  const log: Log = (line) => {
    stream.write((showing ? '\r\x1b[K' : '') + line + '\n');
    showing = false;
  };
  if (stream.isTTY && !process.env.CI) {
    log.live = (text) => {
      stream.write('\r\x1b[K' + text.slice(0, Math.max((stream.columns || 120) - 1, 20)));
      showing = true;
    };
  }
  return log;
}

const LIVE_EVERY_MS = 250;

export class StatsPrinter {
  readonly samples: CounterSample[] = [];
  private lastMs = 0;
  private lastOps = new Map<RoleName, number>();
  private lastLiveMs = -Infinity;

  constructor(
    private readonly zs: Zs,
    private readonly roles: RoleName[],
    private readonly log: Log,
    private readonly durationMs: number,
    private readonly startEpochMs: number,
  ) {}

  /** At a stat interval boundary: keep the counters; without a live line, print the stats line. */
  print(nowMs: number, violations: number): void {
    const workers = this.sample(nowMs);
    if (!this.log.live) this.log(this.statsLine(nowMs, workers, violations));
  }

  /** Every coordinator tick: refresh the live line a few times a second. */
  tick(nowMs: number, violations: number): void {
    if (!this.log.live || nowMs - this.lastLiveMs < LIVE_EVERY_MS) return;
    this.lastLiveMs = nowMs;
    this.log.live(this.liveLine(nowMs, violations));
  }

  /** At the end of the run: the last sample and the whole-run stats line. */
  finish(nowMs: number, violations: number): void {
    this.log(this.statsLine(nowMs, this.sample(nowMs), violations));
  }

  private sample(nowMs: number): Record<string, number>[] {
    const workers = this.roles.map((role, w) => namedCounters(role, workerCounters(this.zs, w)));
    this.samples.push({ atMs: Math.round(nowMs), workers });
    return workers;
  }

  private byRole(workers: Record<string, number>[]): Map<RoleName, Record<string, number>> {
    const byRole = new Map<RoleName, Record<string, number>>();
    this.roles.forEach((role, w) => {
      if (!byRole.has(role)) byRole.set(role, {});
      sumInto(byRole.get(role)!, workers[w]!);
    });
    return byRole;
  }

  /** Ops per second per role since the previous call. */
  private rates(nowMs: number, byRole: Map<RoleName, Record<string, number>>): Map<RoleName, number> {
    const secs = Math.max((nowMs - this.lastMs) / 1000, 1e-3);
    const rates = new Map<RoleName, number>();
    for (const [role, c] of byRole) {
      rates.set(role, Math.round(((c.ops ?? 0) - (this.lastOps.get(role) ?? 0)) / secs));
      this.lastOps.set(role, c.ops ?? 0);
    }
    this.lastMs = nowMs;
    return rates;
  }

  private clock(nowMs: number): string {
    return `${(nowMs / 1000).toFixed(1)}s/${(this.durationMs / 1000).toFixed(1)}s`;
  }

  private statsLine(nowMs: number, workers: Record<string, number>[], violations: number): string {
    const byRole = this.byRole(workers);
    const rates = this.rates(nowMs, byRole);
    const parts = [...byRole].map(([role, c]) => {
      const extra = Object.entries(c)
        .filter(([k]) => k !== 'ops')
        .map(([k, v]) => `${k} ${v}`)
        .join(' ');
      return `${role}s ${c.ops} ops (${rates.get(role)}/s) ${extra}`;
    });
    const coverage = coverageOf(this.roles.map((_, w) => workerCounters(this.zs, w)), this.startEpochMs);
    return `zspage-stress: [${this.clock(nowMs)}] ${parts.join(' | ')} | states ${coverageLine(coverage)} | violations ${violations}`;
  }

  private liveLine(nowMs: number, violations: number): string {
    const workers = this.roles.map((role, w) => namedCounters(role, workerCounters(this.zs, w)));
    const byRole = this.byRole(workers);
    const rates = this.rates(nowMs, byRole);
    const ops = [...rates].map(([role, r]) => `${role}s ${r}/s`).join(' ');
    const fails = [...byRole.values()].reduce((n, c) => n + (c.trylockFail ?? 0), 0);
    return `[${this.clock(nowMs)}] ${ops} | trylock fail ${fails} | violations ${violations}`;
  }
}
