// Reading the workers' counters out of the arena.
import { WORKER_COUNTERS } from '../arena/layout.js';
import type { Zs } from '../model/zs.js';
import { COUNTER } from '../roles/counters.js';
import type { RoleName } from '../roles/task.js';

/** The counters each role reports, by name. */
export const ROLE_COUNTERS: Record<RoleName, [string, number][]> = {
  reader: [
    ['ops', COUNTER.OPS],
    ['sleepingReads', COUNTER.SLEEPING_READS],
    ['bytesVerified', COUNTER.BYTES_VERIFIED],
  ],
  migrator: [
    ['ops', COUNTER.OPS],
    ['trylockOk', COUNTER.TRYLOCK_OK],
    ['trylockFail', COUNTER.TRYLOCK_FAIL],
    ['skipped', COUNTER.SKIPPED],
  ],
  compactor: [
    ['ops', COUNTER.OPS],
    ['trylockOk', COUNTER.TRYLOCK_OK],
    ['trylockFail', COUNTER.TRYLOCK_FAIL],
    ['objectsMoved', COUNTER.OBJECTS_MOVED],
    ['zspagesFreed', COUNTER.ZSPAGES_FREED],
  ],
  churner: [
    ['ops', COUNTER.OPS],
    ['mallocs', COUNTER.MALLOCS],
    ['mallocFailed', COUNTER.MALLOC_FAILED],
    ['writes', COUNTER.WRITES],
    ['frees', COUNTER.FREES],
    ['zspagesFreed', COUNTER.ZSPAGES_FREED],
  ],
};

export function workerCounters(zs: Zs, worker: number): Float64Array {
  const f64 = new Float64Array(zs.mem.buffer, 0, zs.L.frames / 8);
  const at = zs.L.workerCounters + (worker * zs.L.workerWords) / 2;
  return f64.subarray(at, at + WORKER_COUNTERS);
}

export function namedCounters(role: RoleName, c: Float64Array): Record<string, number> {
  return Object.fromEntries(ROLE_COUNTERS[role].map(([name, i]) => [name, c[i]!]));
}

export function sumInto(into: Record<string, number>, add: Record<string, number>): void {
  for (const [k, v] of Object.entries(add)) into[k] = (into[k] ?? 0) + v;
}
