import type { MessagePort } from 'node:worker_threads';
import type { ArenaParams } from '../arena/layout.js';
import type { Violation } from '../records/violation.js';
import type { LockSpec } from '../locks/registry.js';
import type { Scenario } from '../scenario/schema.js';
import type { MetricName } from './metrics.js';

export const ROLES = ['reader', 'migrator', 'compactor', 'churner'] as const;
export type RoleName = (typeof ROLES)[number];

/** Everything a worker needs to play one role; the arena is shared, not copied. */
export interface RoleTask {
  /** The arena as a shared WebAssembly memory (a C lock runs on it). */
  memory: WebAssembly.Memory;
  params: ArenaParams;
  lock: LockSpec;
  role: RoleName;
  roleIndex: number;
  workerIndex: number;
  /** Every worker's label, by worker index (for the flight recorder's view of a zspage). */
  labels: string[];
  seed: number;
  scenario: Scenario;
  /** Handles [0, stable) are the readers'; churner i owns [churnFirst + i*churnEach, +churnEach). */
  stable: number;
  churnFirst: number;
  churnEach: number;
  /** Date.now() at the start of the run: violations are stamped relative to it. */
  startEpochMs: number;
  port: MessagePort;
}

export type EncodedMetrics = Partial<Record<MetricName, string>>;

/** Messages a worker posts while it runs. */
export type WorkerMessage =
  /** Interval k runs from the coordinator's k-th epoch bump to the next (0: from the start). */
  | { type: 'interval'; worker: number; interval: number; metrics: EncodedMetrics }
  | { type: 'violation'; violation: Violation };

export interface RoleResult {
  /** Interval messages posted, the final one included. */
  intervals: number;
}

export const roleLabel = (role: RoleName, index: number) => `${role}#${index}`;
