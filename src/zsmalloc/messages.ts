// What a kernel-pool stress run and its role workers say to each other.
import type { ViolationKind } from '../grading/vocabulary.js';
import type { KernelCounters, KernelRole, KernelRoleConfig } from './roles.js';

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
}

export type KernelWorkerMessage =
  | { type: 'violation'; kind: ViolationKind; message: string; by: string }
  | { type: 'done'; by: string; counters: KernelCounters; stubs: Record<string, number>; oopsed: boolean };
