// What a stress run on the kernel's pool (src/zsmalloc/stress.ts) and its role workers
// (workers/kernel-role.ts) say to each other.
import type { ViolationKind } from '../grading/vocabulary.js';
import type { EncodedMetrics } from '../roles/task.js';
import type { Distribution } from '../scenario/schema.js';
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
}

export type KernelWorkerMessage =
  | { type: 'running'; by: string }
  | { type: 'violation'; kind: ViolationKind; message: string; by: string; atMs: number }
  | { type: 'done'; by: string; counters: KernelCounters; stubs: Record<string, number>; metrics: EncodedMetrics; oopsed: boolean };
