// The periodic stats line, in the manner of locktorture's.
import type { Zs } from '../model/zs.js';
import type { RoleName } from '../roles/task.js';
import { namedCounters, sumInto, workerCounters } from './counters.js';

export class StatsPrinter {
  private lastMs = 0;
  private lastOps = new Map<RoleName, number>();

  constructor(
    private readonly zs: Zs,
    private readonly roles: RoleName[],
    private readonly log: (line: string) => void,
  ) {}

  print(nowMs: number, violations: number): void {
    const byRole = new Map<RoleName, Record<string, number>>();
    this.roles.forEach((role, w) => {
      if (!byRole.has(role)) byRole.set(role, {});
      sumInto(byRole.get(role)!, namedCounters(role, workerCounters(this.zs, w)));
    });
    const secs = Math.max((nowMs - this.lastMs) / 1000, 1e-3);
    const parts = [...byRole].map(([role, c]) => {
      const rate = Math.round(((c.ops ?? 0) - (this.lastOps.get(role) ?? 0)) / secs);
      this.lastOps.set(role, c.ops ?? 0);
      const extra = Object.entries(c)
        .filter(([k]) => k !== 'ops')
        .map(([k, v]) => `${k} ${v}`)
        .join(' ');
      return `${role}s ${c.ops} ops (${rate}/s) ${extra}`;
    });
    this.lastMs = nowMs;
    this.log(`zspage-stress: [${(nowMs / 1000).toFixed(1)}s] ${parts.join(' | ')} | violations ${violations}`);
  }
}
