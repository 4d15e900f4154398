// What a stress run on the kernel's pool (src/zsmalloc/stress.ts) and its role workers
// (workers/kernel-role.ts) say to each other.
import type { ViolationKind } from '../grading/vocabulary.js';
import type { EncodedMetrics } from '../roles/task.js';
import type { Distribution } from '../scenario/schema.js';
import type { KernelFlightOp } from '../zsmalloc/flight.js';
import type { KernelCounters, KernelRole, KernelRoleConfig } from '../zsmalloc/roles.js';

export interface KernelRoleTask {
  wasm: Uint8Array;
  memory: WebAssembly.Memory;
  pages: number;
  cpus: number;
  objectSlots: number;
  /** The worker's CPU number (0 is the coordinator's). */
  cpu: number;
  role: KernelRole;
  index: number;
  seed: number;
  config: KernelRoleConfig;
  /** A reader's hold of a mapped object, and any role's pause between steps. */
  hold: Distribution;
  pause: Distribution;
  startEpochMs: number;
  /** Every CPU's name, by CPU number: the flight recorder's readout names them. */
  names: string[];
}

export type KernelWorkerMessage =
  | { type: 'running'; by: string }
  | { type: 'violation'; kind: ViolationKind; message: string; by: string; atMs: number; recent: KernelFlightOp[] }
  /** Interval k runs from the coordinator's k-th epoch bump to the next (0: from the start); the last comes before `done`. */
  | { type: 'interval'; worker: number; interval: number; metrics: EncodedMetrics }
  | { type: 'done'; by: string; counters: KernelCounters; stubs: Record<string, number>; oopsed: boolean };
