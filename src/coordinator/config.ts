// A run's whole configuration: the scenario, with the command line's overrides.
import { randomInt } from 'node:crypto';
import { BadInputError } from '../errors.js';
import { lockSpecFor, type LockSpec } from '../locks/registry.js';
import { ROLES, type RoleName } from '../roles/task.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';

/** What the command line may set; undefined leaves the scenario's value. */
export interface RunOptions {
  scenario?: string;
  lock?: string;
  duration?: number;
  seed?: number;
  readers?: number;
  migrators?: number;
  compactors?: number;
  churners?: number;
  statInterval?: number;
  out?: string;
  keepGoing?: boolean;
  /** A scenario already loaded (replay), instead of `scenario`. */
  loaded?: LoadedScenario;
  /** Changes the scenario after the flags: a sweep point's parameter. */
  patch?: (s: Scenario) => void;
}

export interface RunConfig {
  scenarioName: string;
  scenario: Scenario;
  /** The lock as named: a built-in name or the path given. */
  lockName: string;
  lock: LockSpec;
  seed: number;
  out: string | null;
  keepGoing: boolean;
}

export const roleCount = (s: Scenario, role: RoleName) => s[`${role}s`].count;
export const workerCount = (s: Scenario) => ROLES.reduce((n, r) => n + roleCount(s, r), 0);

export function resolveRunConfig(opts: RunOptions, cwd = process.cwd()): RunConfig {
  const loaded = opts.loaded ?? loadScenario(opts.scenario ?? 'default', cwd);
  const s: Scenario = structuredClone(loaded.scenario);
  if (opts.duration !== undefined) s.duration = secondsToNs(opts.duration, '--duration', 0.1);
  if (opts.statInterval !== undefined) s.statInterval = secondsToNs(opts.statInterval, '--stat-interval', 0.1);
  for (const role of ROLES) {
    const n = opts[`${role}s`];
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new BadInputError(`--${role}s: expected a count from 0 to 64, got ${n}`);
    s[`${role}s`].count = n;
  }
  opts.patch?.(s);
  if (s.readers.count === 0) throw new BadInputError('readers: at least one reader is needed');
  const lockName = opts.lock ?? s.lock;
  s.lock = lockName;
  let seed = opts.seed ?? s.seed;
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)) {
    throw new BadInputError(`--seed: expected an integer from 0 to 4294967295, got ${seed}`);
  }
  seed ??= randomInt(0, 0xffffffff);
  s.seed = seed;
  return {
    scenarioName: loaded.name,
    scenario: s,
    lockName,
    lock: lockSpecFor(lockName, cwd),
    seed,
    out: opts.out ?? null,
    keepGoing: opts.keepGoing ?? false,
  };
}

function secondsToNs(value: number, flag: string, min: number): number {
  if (!Number.isFinite(value) || value < min) throw new BadInputError(`${flag}: expected seconds, at least ${min}, got ${value}`);
  return Math.round(value * 1e9);
}
